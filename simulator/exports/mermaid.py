"""The sequence diagram as Mermaid ``sequenceDiagram`` text.

Mermaid draws two line styles, solid and dotted, and two arrowheads, filled and open, so the
five message kinds are told apart by the pair: command ``->>`` (solid, filled), query ``-)``
(solid, open), event ``--)`` (dotted, open), reply ``-->>`` (dotted, filled); a document shares
the event's arrow and says "(document)" in its label. Failures, retries, dead letters, drops
and halts are notes over the lifelines, so there is exactly one arrow per hop.

User text (labels, types, reasons) goes through :func:`escape`. Mermaid ends a statement at
``;``, a line break or ``#`` and reads ``#code;`` as a character, so those characters, and the
few that mean something to its HTML labels, are written as numeric entity codes. So is ``:``:
a message starting ``wrap:`` is read as an option, and Mermaid's entity pass drops the last
``;`` of a line where ``style`` or ``classDef`` comes before a ``:`` followed by a ``#``.
Checked against Mermaid 11 (parse and render) for every built-in scenario.
"""

from __future__ import annotations

from .sequence import LIMIT, Arrow, Mark, SequenceDiagram

ARROW = {"command": "->>", "query": "-)", "event": "--)", "reply": "-->>", "document": "--)"}
SPECIAL = frozenset(';#<>&"%:{}[]|\\`')

LEGEND = (
    "%% Arrows: ->> command (solid line, filled head); -) query (solid, open head);",
    "%% --) event (dotted, open head); -->> reply (dotted, filled head);",
    "%% a document draws as an event, marked (document) in its label.",
    "%% Notes: ✗ failed, ↻ retry, ☠ dead-lettered, ⊘ dropped, ■ run halted.",
)


def escape(text: str) -> str:
    """``text`` on one line, safe anywhere a Mermaid sequence diagram takes free text."""
    out = []
    for ch in text:
        if ch in SPECIAL:
            out.append(f"#{ord(ch)};")
        elif ch.isprintable():
            out.append(ch)
        else:  # line breaks, tabs, controls, lone surrogates
            out.append(" ")
    return "".join(out).strip() or "#32;"


def render(diagram: SequenceDiagram) -> str:
    arrows = len(diagram.arrows)
    lines = [
        "sequenceDiagram",
        f"%% msglab sequence diagram: {diagram.records} trace records,"
        f" {arrows} arrows (one per hop).",
        *LEGEND,
    ]
    if diagram.starts_late:
        left_out = (
            f"the {diagram.omitted} before them were left out"
            if diagram.omitted
            else "earlier records were not given"
        )
        lines.append(
            f"%% Records from seq {diagram.first_seq} on ({left_out}; at most {LIMIT} are drawn)."
        )
    lines.append(f"    title {escape(diagram.title)}")
    alias = {p.id: p.alias for p in diagram.participants}
    for p in diagram.participants:
        lines.append(f"    participant {p.alias} as {escape(p.label)}")
    for item in diagram.items:
        if isinstance(item, Arrow):
            arrow = ARROW[item.kind]
            lines.append(
                f"    {alias[item.source]}{arrow}{alias[item.target]}: {escape(item.label)}"
            )
        else:
            lines.append(_note(item, alias))
    return "\n".join(lines) + "\n"


def _note(mark: Mark, alias: dict[str, str]) -> str:
    over = ",".join(alias[i] for i in mark.over)
    return f"    Note over {over}: {mark.symbol} {escape(mark.text)}"
