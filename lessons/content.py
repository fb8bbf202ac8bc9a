"""The course as files: one directory per lesson under ``lessons/course/`` (docs/lessons.md).

``NN-slug/lesson.md`` is TOML front matter between ``+++`` lines, then Markdown. Beside it, an
exercise has ``check.py`` (its checker), its start and its reference solution. Everything is
validated when it is read: a typo in a teacher's edit is an error that names the file and the
field, never a page that half works.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import re
import time
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from simulator.engine import EVENTS, Topology, TopologyError, load_topology
from simulator.scenarios import ScenarioNotFound, load_scenario

from .checking import Criterion, Run, criteria_hold

COURSE = Path(__file__).parent / "course"
DIRECTORY = re.compile(r"^(\d{2})-([a-z0-9]+(?:-[a-z0-9]+)*)$")
FENCE = "+++"

Text = Annotated[str, Field(min_length=1, max_length=2000)]
Checker = Callable[[Topology], list[Criterion]]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Choice(_Strict):
    text: Annotated[str, Field(min_length=1, max_length=300)]
    correct: bool = False
    feedback: str = ""  # said when this choice is picked, before the explanation


class Question(_Strict):
    question: Text
    choices: Annotated[list[Choice], Field(min_length=2, max_length=6)]
    explanation: Text  # said after any answer: why the right one is right

    @model_validator(mode="after")
    def _one_right_answer(self) -> Question:
        right = sum(choice.correct for choice in self.choices)
        if right != 1:
            raise ValueError(f"exactly one choice must have correct = true, not {right}")
        texts = [choice.text for choice in self.choices]
        if len(set(texts)) != len(texts):
            raise ValueError("two choices have the same text")
        return self

    @property
    def answer(self) -> int:
        return next(i for i, choice in enumerate(self.choices) if choice.correct)


class Caption(_Strict):
    """A moment of the scenario's run, named by what happens rather than by a record number,
    and what to say once the run has reached it."""

    model_config = ConfigDict(populate_by_name=True)

    event: str
    type: str | None = None  # the message's type
    to: str | None = None
    from_: str | None = Field(default=None, alias="from")
    text: Text

    @model_validator(mode="after")
    def _known_event(self) -> Caption:
        if self.event not in EVENTS:
            raise ValueError(f"event must be one of {', '.join(EVENTS)}")
        return self

    def matches(self, record: dict[str, Any]) -> bool:
        message = record.get("message") or {}
        return (
            record["event"] == self.event
            and (self.type is None or message.get("type") == self.type)
            and (self.to is None or record["to"] == self.to)
            and (self.from_ is None or record["from"] == self.from_)
        )

    def to_dict(self) -> dict[str, Any]:
        return {"event": self.event, "type": self.type, "to": self.to, "from": self.from_,
                "text": self.text}  # fmt: skip


class Exercise(_Strict):
    task: Text
    start: str  # a file beside lesson.md (`start.json`) or a scenario's slug
    solution: str = "solution.json"
    hints: list[Text] = []


class FrontMatter(_Strict):
    title: Annotated[str, Field(min_length=1, max_length=80)]
    objective: Text
    scenario: str
    summary: Annotated[list[Text], Field(min_length=1, max_length=8)]
    start_caption: Text
    captions: Annotated[list[Caption], Field(min_length=1)]
    prediction: Question
    quiz: Annotated[list[Question], Field(min_length=3, max_length=5)]
    exercise: Exercise | None = None


class LessonError(ValueError):
    """A lesson that cannot be read: the file and every problem in it."""

    def __init__(self, path: Path, problems: list[str]) -> None:
        self.path = path
        self.problems = problems
        super().__init__(f"{path}: " + "; ".join(problems))


@dataclass(frozen=True)
class Lesson:
    number: int
    slug: str
    directory: Path
    meta: FrontMatter
    body: str  # Markdown
    checker: Checker | None = field(default=None, compare=False)
    _documents: dict[str, dict[str, Any]] = field(default_factory=dict, compare=False, repr=False)

    @property
    def title(self) -> str:
        return self.meta.title

    @property
    def exercise(self) -> Exercise | None:
        return self.meta.exercise

    def topology(self) -> Topology:
        return load_scenario(self.meta.scenario).topology

    def start_document(self) -> dict[str, Any]:
        assert self.exercise is not None
        return self._document(self.exercise.start)

    def solution_document(self) -> dict[str, Any]:
        assert self.exercise is not None
        return self._document(self.exercise.solution)

    def _document(self, name: str) -> dict[str, Any]:
        """A topology file beside the lesson, or a scenario's, as written; read once (a lesson
        is read again as a whole when one of its files changes)."""
        if name not in self._documents:
            path = self.directory / name if name.endswith(".json") else load_scenario(name).path
            self._documents[name] = json.loads(path.read_text(encoding="utf-8"))
        return self._documents[name]

    def check(self, topology: Topology) -> list[Criterion]:
        assert self.checker is not None
        return self.checker(topology)


def read_lesson(directory: Path) -> Lesson:
    """The lesson in ``directory``, or :class:`LessonError` naming every problem."""
    match = DIRECTORY.match(directory.name)
    lesson_md = directory / "lesson.md"
    if not match:
        raise LessonError(directory, ["the directory's name must be NN-slug, e.g. 05-order-flow"])
    try:
        text = lesson_md.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise LessonError(lesson_md, [f"cannot be read: {error}"]) from None
    front, body = split_front_matter(lesson_md, text)
    try:
        meta = FrontMatter.model_validate(tomllib.loads(front))
    except tomllib.TOMLDecodeError as error:
        raise LessonError(lesson_md, [f"front matter is not TOML: {error}"]) from None
    except ValidationError as error:
        raise LessonError(lesson_md, _problems(error)) from None
    checker = None
    if meta.exercise is not None:
        checker = _load_checker(directory, match.group(2))
    return Lesson(int(match.group(1)), match.group(2), directory, meta, body, checker)


def split_front_matter(path: Path, text: str) -> tuple[str, str]:
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != FENCE:
        raise LessonError(path, [f"the file must start with a {FENCE} line (TOML front matter)"])
    for end, line in enumerate(lines[1:], start=1):
        if line.strip() == FENCE:
            body = "".join(lines[end + 1 :])
            if not body.strip():
                raise LessonError(path, ["the lesson has no text after its front matter"])
            return "".join(lines[1:end]), body
    raise LessonError(path, [f"the front matter has no closing {FENCE} line"])


def _problems(error: ValidationError) -> list[str]:
    problems = []
    for item in error.errors():
        where = ".".join(str(part) for part in item["loc"])
        message = str(item["msg"]).removeprefix("Value error, ")
        problems.append(f"{where}: {message}" if where else message)
    return problems


def _load_checker(directory: Path, slug: str) -> Checker:
    path = directory / "check.py"
    if not path.is_file():
        raise LessonError(path, ["a lesson with an exercise needs a check.py beside lesson.md"])
    spec = importlib.util.spec_from_file_location(f"lessons.course.{slug.replace('-', '_')}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    checker = getattr(module, "check", None)
    if not callable(checker):
        raise LessonError(path, ["check.py must define check(topology) -> list[Criterion]"])
    return checker  # type: ignore[no-any-return]


@dataclass(frozen=True)
class Course:
    lessons: tuple[Lesson, ...]
    errors: tuple[LessonError, ...]
    version: str = ""  # changes whenever a file of the course changes: a key for caches

    def get(self, slug: str) -> Lesson | None:
        return next((lesson for lesson in self.lessons if lesson.slug == slug), None)

    def neighbours(self, lesson: Lesson) -> tuple[Lesson | None, Lesson | None]:
        at = self.lessons.index(lesson)
        before = self.lessons[at - 1] if at > 0 else None
        after = self.lessons[at + 1] if at + 1 < len(self.lessons) else None
        return before, after


def load_course(root: Path = COURSE) -> Course:
    """Every lesson that can be read, in order, and the errors of those that cannot (shown by
    ``manage.py check``; the course goes on without them). Read again when a file changes, so
    a teacher's edit shows on the next page load without a restart; the files are looked at
    at most once a second, not on every request."""
    now = time.monotonic()
    seen = _seen.get(root)
    if seen is not None and now - seen[0] < RECHECK_SECONDS:
        return seen[2]
    signature = tuple((str(f), _modified(f)) for f in sorted(root.glob("*/*")))
    course = seen[2] if seen is not None and seen[1] == signature else _read_course(root, signature)
    _seen[root] = (now, signature, course)
    return course


RECHECK_SECONDS = 1.0
Signature = tuple[tuple[str, int], ...]  # each file of the course and when it last changed
_seen: dict[Path, tuple[float, Signature, Course]] = {}  # when it was looked at, and what it was


def _modified(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except OSError:  # gone since the listing: the next load sees it
        return -1


def _read_course(root: Path, signature: Signature) -> Course:
    lessons, errors = [], []
    for directory in sorted(p for p in root.iterdir() if p.is_dir() and p.name[:1].isdigit()):
        try:
            lessons.append(read_lesson(directory))
        except LessonError as error:
            errors.append(error)
    version = hashlib.sha256(repr(signature).encode()).hexdigest()[:16]
    return Course(tuple(lessons), tuple(errors), version)


def validate(lesson: Lesson) -> list[str]:
    """What is wrong with a lesson that reads: its scenario, its captions' moments, its
    exercise. Runs the engine, so it is for ``manage.py check`` and the tests, not a page."""
    try:
        topology = lesson.topology()
    except ScenarioNotFound:
        return [f"scenario: no built-in scenario called {lesson.meta.scenario!r}"]
    run = Run(topology)
    problems = [
        f"captions[{i}]: no record of {caption.event} {caption.type or ''} in the run of "
        f"{lesson.meta.scenario!r} matches this moment"
        for i, caption in enumerate(lesson.meta.captions)
        if not any(caption.matches(record) for record in run.trace)
    ]
    if lesson.exercise is not None:
        problems += _validate_exercise(lesson)
    return problems


def _validate_exercise(lesson: Lesson) -> list[str]:
    problems = []
    documents = (
        ("start", lesson.start_document, False),
        ("solution", lesson.solution_document, True),
    )
    for name, document, wanted in documents:
        try:
            topology = load_topology(document())
        except (OSError, ValueError, ScenarioNotFound, TopologyError) as error:
            problems.append(f"exercise.{name}: cannot be loaded: {error}")
            continue
        criteria = lesson.check(topology)
        holds = criteria_hold(criteria)
        if holds != wanted:
            verdict = "accepts" if holds else "rejects"
            failing = [c.text for c in criteria if not c.holds]
            problems.append(
                f"exercise.{name}: the checker {verdict} it"
                + (f" (not holding: {'; '.join(failing)})" if failing else "")
            )
        if wanted and topology.warnings:  # a start may smell: finding that can be the task
            codes = ", ".join(sorted({w.code for w in topology.warnings}))
            problems.append(f"exercise.solution: the reference solution has warnings: {codes}")
    return problems
