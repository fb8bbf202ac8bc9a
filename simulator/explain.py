"""The misuse checker on the web: each warning explained, linked to its lesson, and fixed on
request. The words and the fixes are :mod:`simulator.misuse`'s; this adds the lessons' titles
and URLs, and reads the editor's fix requests (``POST /sim/fix/``, docs/topology.md)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from lessons.content import load_course
from simulator import misuse
from simulator.engine import Lint, Topology, TopologyError, load_topology

# Each fix offered is checked by loading the fixed document (0.1 ms to 8 ms each): a document
# with more warnings is offered fixes for its first 10 only, and gets the others once those
# are fixed.
MAX_FIXES = 10


class CannotFix(Exception):
    """A fix request that cannot be met: every problem, each naming the field."""

    def __init__(self, problems: list[dict[str, str]]) -> None:
        super().__init__("; ".join(f"{p['path']}: {p['message']}" for p in problems))
        self.problems = problems


def lesson_link(slug: str) -> dict[str, str] | None:
    lesson = load_course().get(slug)
    if lesson is None:
        return None
    return {"slug": slug, "title": lesson.title, "url": reverse("lesson", args=[slug])}


def texts() -> dict[str, dict[str, Any]]:
    """Per lint code, what a run page shows beside a warning (JSON in its warnings box)."""
    return {
        code: {"title": m.title, "why": m.why, "lesson": lesson_link(m.lesson)}
        for code, m in misuse.MISUSES.items()
    }


def warnings(document: Any, topology: Topology) -> list[dict[str, Any]]:
    """The topology's warnings as the editor's check answers them: each with what it is about
    (its message without the code's one-liner), title, explanation, why it matters, its
    lesson, and the fix on offer (``{"label"}``) or null."""
    answer = []
    links: dict[str, dict[str, str] | None] = {}
    for n, lint in enumerate(topology.warnings):
        about = misuse.misuse(lint.code)
        words: dict[str, Any] = dict.fromkeys(("title", "explanation", "why", "lesson"))
        if about is not None:
            if about.lesson not in links:
                links[about.lesson] = lesson_link(about.lesson)
            words = {
                "title": about.title,
                "explanation": about.explanation,
                "why": about.why,
                "lesson": links[about.lesson],
            }
        offered = misuse.fix(document, lint, topology) if n < MAX_FIXES else None
        fix = None if offered is None else {"label": offered.label}
        answer.append({**lint.to_dict(), "what": misuse.what(lint), **words, "fix": fix})
    return answer


def fixed(body: Any) -> dict[str, Any]:
    """The answer to ``POST /sim/fix/``: ``{"document", "label"}``, the document with the
    warning fixed, or :class:`CannotFix` naming the field at fault."""
    if not isinstance(body, dict):
        raise CannotFix([_problem("", 'the body must be {"document": …, "warning": …}')])
    if "document" not in body:
        raise CannotFix([_problem("document", "required: the topology to fix")])
    document = body["document"]
    try:
        topology = load_topology(document)
    except TopologyError as error:
        raise CannotFix(
            [_problem(_under("document", p.path), p.message) for p in error.problems]
        ) from None
    lint = _lint(body.get("warning"), topology)
    made = misuse.fix(document, lint, topology)
    if made is None:
        raise CannotFix([_problem("warning", f"no automatic fix for this {lint.code} warning")])
    return {"document": made.document, "label": made.label}


def _lint(warning: Any, topology: Topology) -> Lint:
    """The warning of ``topology`` that ``warning`` ({path, code, message?}) names."""
    if not isinstance(warning, dict):
        raise CannotFix([_problem("warning", "required: the warning to fix, {path, code}")])
    code, path, message = warning.get("code"), warning.get("path"), warning.get("message")
    if code not in misuse.MISUSES:
        known = ", ".join(misuse.MISUSES)
        raise CannotFix([_problem("warning.code", f"unknown lint code {code!r}; one of {known}")])
    if not isinstance(path, str):
        raise CannotFix([_problem("warning.path", "required: a string, the warning's path")])
    if message is not None and not isinstance(message, str):
        raise CannotFix([_problem("warning.message", "must be a string when given")])
    for lint in topology.warnings:
        if (lint.code, lint.path) == (code, path) and message in (None, lint.message):
            return lint
    raise CannotFix(
        [_problem("warning", f"this document has no {code} warning at {path!r} (fixed already?)")]
    )


def _under(field: str, path: str) -> str:
    if not path:
        return field
    return f"{field}{path}" if path.startswith("[") else f"{field}.{path}"


def _problem(path: str, message: str) -> dict[str, str]:
    return {"path": path, "message": message}
