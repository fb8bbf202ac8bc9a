"""The sequence diagram as a standalone SVG document.

One file, nothing fetched: its own ``<style>``, ``<title>`` and arrowhead ``<marker>``\\ s, a
white background, readable in a browser and in Inkscape. A message's kind is told three ways,
so colour is never needed alone: the line (command and query solid, event dashed, reply dotted,
document dash-dotted), the arrowhead (command a filled triangle, query an open triangle, event
an open chevron, reply a filled barb, document an open barb) and the shape at the arrow's tail
(the live diagram's token shapes: command square, event circle, reply diamond, query triangle,
document hexagon). Marks are boxed notes over their lifelines with a symbol and words.

The output is deterministic (no clock, no randomness, coordinates rounded to 0.1) so that it
can be golden-tested; all text is XML-escaped, and characters XML 1.0 forbids are replaced.
"""

from __future__ import annotations

import re

from .sequence import (
    KINDS,
    LIMIT,
    LINE,
    MARK_WORDS,
    MARKS,
    SYMBOL,
    Arrow,
    LineStyle,
    Mark,
    MarkKind,
    Participant,
    SequenceDiagram,
)

PAD = 16
TIME_W = 72  # the time column, left of the first lifeline
CHAR = 7.6  # estimated width of a character at 13px, generous for DejaVu Sans
TITLE_CHAR, SMALL_CHAR = 11.0, 6.6  # the same at 18px bold and at 11px
BOLD = 8.4  # the same, bold (the lifelines' names)
BOX_H = 44
BOX_MIN, BOX_MAX = 96, 200
GAP_MIN = 150
ARROW_ROW, MARK_ROW = 34, 30
LEGEND_ITEM, LEGEND_ROW, LEGEND_COLUMNS = 150, 24, 4
MIN_WIDTH = LEGEND_COLUMNS * LEGEND_ITEM + PAD * 2
LABEL_CHARS, NOTE_CHARS = 48, 90
NAMES_EVERY, NAMES_ROW = 40, 28  # rows between repeats of the lifelines' names; its height
PREFIX = "msglab-seq"

COLOUR = {
    "command": "#1d4ed8",
    "query": "#7c3aed",
    "event": "#b45309",
    "reply": "#047857",
    "document": "#be185d",
}
DASH: dict[LineStyle, str] = {
    "solid": "none",
    "dashed": "9 6",
    "dotted": "1 6",
    "dashdot": "12 5 2 5",
}
# arrowheads in a 10×10 box, tip at (10, 5); "open" ones are stroked, not filled
HEAD = {
    "command": ("M0 0L10 5L0 10Z", True),
    "query": ("M1 1L9.5 5L1 9Z", False),
    "event": ("M1 1L9.5 5L1 9", False),
    "reply": ("M0 0L10 5L0 10L3.5 5Z", True),
    "document": ("M1 1L9.5 5L1 9L4 5Z", False),
}
# the live diagram's token shapes (static/js/diagram-draw.js), drawn at the arrow's tail
TAIL = {
    "command": "M-7 -7H7V7H-7Z",
    "event": "M-7.5 0A7.5 7.5 0 1 0 7.5 0A7.5 7.5 0 1 0 -7.5 0Z",
    "reply": "M0 -9.5L9.5 0L0 9.5L-9.5 0Z",
    "query": "M0 -9L9 7H-9Z",
    "document": "M-9 0L-4.5 -7.5H4.5L9 0L4.5 7.5H-4.5Z",
}
NODE_STYLE = {  # fill, stroke: the live diagram's light palette
    "client": ("#f1f5f9", "#334155"),
    "service": ("#eff6ff", "#1e3a8a"),
    "queue": ("#ecfeff", "#155e75"),
    "topic": ("#fef3c7", "#92400e"),
    "": ("#ffffff", "#4b5563"),
}
MARK_STYLE: dict[MarkKind, tuple[str, str, str]] = {  # fill, stroke, dash
    "failed": ("#fef2f2", "#b91c1c", "none"),
    "retry": ("#fffbeb", "#b45309", "5 3"),
    "dead_lettered": ("#fee2e2", "#7f1d1d", "none"),
    "dropped": ("#f3f4f6", "#4b5563", "2 3"),
    "halted": ("#e5e7eb", "#111827", "none"),
}

STYLE = """
  .bg { fill: #ffffff; }
  text { font-family: 'Segoe UI', 'Helvetica Neue', Arial, 'DejaVu Sans', sans-serif;
    font-size: 13px; fill: #111827; }
  .title { font-size: 18px; font-weight: 600; }
  .subtitle, .time, .node-kind { font-size: 11px; fill: #4b5563; }
  .time { text-anchor: end; font-variant-numeric: tabular-nums; }
  .node-label { font-weight: 600; text-anchor: middle; }
  .node-kind { text-anchor: middle; }
  .name { font-size: 12px; font-weight: 600; fill: #4b5563; text-anchor: middle;
    paint-order: stroke; stroke: #ffffff; stroke-width: 4px; stroke-linejoin: round; }
  .lifeline { stroke: #9ca3af; stroke-width: 1.5; stroke-dasharray: 4 4; }
  .line { fill: none; stroke-width: 2; }
  .line--reply { stroke-width: 2.5; stroke-linecap: round; }
  .label { text-anchor: middle; paint-order: stroke; stroke: #ffffff; stroke-width: 4px;
    stroke-linejoin: round; }
  .label--self { text-anchor: start; }
  .note { stroke-width: 1.5; }
  .note--dead_lettered, .note--halted { stroke-width: 2.5; }
  .note-text { font-size: 12px; }
  .mark .note-text { text-anchor: middle; }
"""

_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def escape(text: str) -> str:
    """``text`` as XML character data or an attribute value (in double quotes)."""
    text = _XML_BAD.sub("\ufffd", text)
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&#39;")
    )


def num(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def width_of(text: str) -> float:
    return len(text) * CHAR


def fit(text: str, chars: int) -> str:
    return text if len(text) <= chars else text[: chars - 1] + "…"


def render(diagram: SequenceDiagram) -> str:
    participants = diagram.participants
    boxes = [min(BOX_MAX, max(BOX_MIN, len(p.label) * BOLD + 20)) for p in participants]
    column = {p.id: i for i, p in enumerate(participants)}
    gaps = [max(GAP_MIN, (boxes[i] + boxes[i + 1]) / 2 + 24) for i in range(len(participants) - 1)]
    _widen_for_labels(gaps, diagram.arrows, column)
    left = PAD + TIME_W
    xs: list[float] = []
    for i, box in enumerate(boxes):
        xs.append(left + box / 2 if i == 0 else xs[-1] + gaps[i - 1])
    x_of = {p.id: xs[i] for i, p in enumerate(participants)}
    names = {p.id: p.label for p in participants}

    out: list[str] = []
    right = max(
        (xs[-1] + boxes[-1] / 2) if xs else left,
        PAD + len(diagram.title) * TITLE_CHAR,
        PAD + len(_summary(diagram)) * SMALL_CHAR,
    )
    legend_top = 64
    legend, legend_bottom, legend_right = _legend(legend_top)
    heads_top = legend_bottom + 16
    y = heads_top + BOX_H + 20
    rows: list[str] = []
    for i, item in enumerate(diagram.items):
        if i and i % NAMES_EVERY == 0:  # a long diagram names its lifelines again
            rows.append(_names(participants, x_of, y))
            y += NAMES_ROW
        if isinstance(item, Arrow):
            rows.append(_arrow(item, x_of, y, names))
            y += ARROW_ROW + (12 if item.source == item.target else 0)
        else:
            note, note_right = _note(item, x_of, y, left, names)
            rows.append(note)
            right = max(right, note_right)
            y += MARK_ROW
    bottom = y + 12
    width = max(MIN_WIDTH, right + PAD, legend_right + PAD)
    height = bottom + PAD

    out.append(
        f'<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="{num(width)}"'
        f' height="{num(height)}" viewBox="0 0 {num(width)} {num(height)}" role="img"'
        f' aria-labelledby="{PREFIX}-title {PREFIX}-desc">'
    )
    out.append(f'<title id="{PREFIX}-title">{escape(diagram.title)}: sequence diagram</title>')
    out.append(f'<desc id="{PREFIX}-desc">{escape(_summary(diagram))}</desc>')
    out.append(f"<style>{STYLE}</style>")
    out.append(_defs())
    out.append(f'<rect class="bg" width="{num(width)}" height="{num(height)}"/>')
    out.append(f'<text class="title" x="{PAD}" y="{PAD + 18}">{escape(diagram.title)}</text>')
    out.append(
        f'<text class="subtitle" x="{PAD}" y="{PAD + 36}">{escape(_summary(diagram))}</text>'
    )
    out.append(legend)
    out.append('<g class="participants">')
    for p, x, box in zip(participants, xs, boxes, strict=True):
        fill, stroke = NODE_STYLE.get(p.kind, NODE_STYLE[""])
        out.append(
            f'<g class="participant" data-node="{escape(p.id)}">'
            f"<title>{escape(p.label)} ({escape(p.kind or 'node')} {escape(p.id)})</title>"
            f'<line class="lifeline" x1="{num(x)}" y1="{num(heads_top + BOX_H)}"'
            f' x2="{num(x)}" y2="{num(bottom)}"/>'
            f'<rect x="{num(x - box / 2)}" y="{num(heads_top)}" width="{num(box)}"'
            f' height="{BOX_H}" rx="6" fill="{fill}" stroke="{stroke}" stroke-width="2"/>'
            f'<text class="node-label" x="{num(x)}" y="{num(heads_top + 19)}">'
            f"{escape(fit(p.label, int((BOX_MAX - 20) / BOLD)))}</text>"
            f'<text class="node-kind" x="{num(x)}" y="{num(heads_top + 35)}">'
            f"{escape(p.kind or 'node')}</text></g>"
        )
    out.append("</g>")
    out.append('<g class="items">')
    out.extend(rows)
    out.append("</g>")
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _summary(diagram: SequenceDiagram) -> str:
    text = (
        f"{diagram.records} trace records, {len(diagram.arrows)} arrows (one per hop),"
        f" {len(diagram.marks)} marks"
    )
    if diagram.starts_late:
        text += f"; from record {diagram.first_seq} on"
        if diagram.omitted:
            text += f" ({diagram.omitted} earlier ones left out: at most {LIMIT} are drawn)"
    return text + "."


def _widen_for_labels(gaps: list[float], arrows: tuple[Arrow, ...], column: dict[str, int]) -> None:
    """Make room between lifelines for each arrow's label, shortest spans first."""
    spans: dict[tuple[int, int], float] = {}
    for arrow in arrows:
        a, b = sorted((column[arrow.source], column[arrow.target]))
        if a == b:
            continue
        need = width_of(fit(arrow.label, LABEL_CHARS)) + 36
        spans[(a, b)] = max(spans.get((a, b), 0.0), need)
    for (a, b), need in sorted(spans.items(), key=lambda kv: (kv[0][1] - kv[0][0], kv[0])):
        have = sum(gaps[a:b])
        if have < need:
            extra = (need - have) / (b - a)
            for i in range(a, b):
                gaps[i] += extra


def _defs() -> str:
    parts = ["<defs>"]
    for kind in KINDS:
        colour = COLOUR[kind]
        path, filled = HEAD[kind]
        paint = (
            f'fill="{colour}"'
            if filled
            else f'fill="#ffffff" stroke="{colour}" stroke-width="1.6" stroke-linejoin="round"'
        )
        if kind == "event":
            paint = f'fill="none" stroke="{colour}" stroke-width="2" stroke-linecap="round"'
        parts.append(
            f'<marker id="{PREFIX}-head-{kind}" viewBox="0 0 10 10" refX="10" refY="5"'
            f' markerWidth="12" markerHeight="12" markerUnits="userSpaceOnUse"'
            f' orient="auto"><path d="{path}" {paint}/></marker>'
        )
        parts.append(
            f'<marker id="{PREFIX}-tail-{kind}" viewBox="-10 -10 20 20" refX="0" refY="0"'
            f' markerWidth="14" markerHeight="14" markerUnits="userSpaceOnUse">'
            f'<path d="{TAIL[kind]}" fill="{colour}" stroke="#ffffff" stroke-width="1.5"/>'
            f"</marker>"
        )
    parts.append("</defs>")
    return "".join(parts)


def _line(kind: str, d: str) -> str:
    dash = DASH[LINE[kind]]
    dashed = "" if dash == "none" else f' stroke-dasharray="{dash}"'
    return (
        f'<path class="line line--{kind}" d="{d}" stroke="{COLOUR[kind]}"{dashed}'
        f' marker-start="url(#{PREFIX}-tail-{kind})" marker-end="url(#{PREFIX}-head-{kind})"/>'
    )


def _legend(top: float) -> tuple[str, float, float]:
    """The key to the drawing: one sample per kind, one per mark; its bottom and right edge."""
    entries: list[str] = []
    for kind in KINDS:
        x, y = _legend_cell(len(entries), top)
        entries.append(
            _line(kind, f"M{num(x + 8)} {num(y)}H{num(x + 52)}")
            + f'<text x="{num(x + 60)}" y="{num(y + 4)}">{kind}</text>'
        )
    for mark in MARKS:
        x, y = _legend_cell(len(entries), top)
        words = f"{SYMBOL[mark]} {MARK_WORDS[mark]}"
        fill, stroke, dash = MARK_STYLE[mark]
        dashed = "" if dash == "none" else f' stroke-dasharray="{dash}"'
        entries.append(
            f'<rect class="note note--{mark}" x="{num(x)}" y="{num(y - 10)}"'
            f' width="{num(width_of(words) + 12)}" height="20" rx="4" fill="{fill}"'
            f' stroke="{stroke}"{dashed}/>'
            f'<text class="note-text" x="{num(x + 6)}" y="{num(y + 4)}">{escape(words)}</text>'
        )
    rows = (len(entries) + LEGEND_COLUMNS - 1) // LEGEND_COLUMNS
    right = PAD + min(len(entries), LEGEND_COLUMNS) * LEGEND_ITEM
    body = "".join(entries)
    return f'<g class="legend">{body}</g>', top + (rows - 1) * LEGEND_ROW + 12, right


def _legend_cell(i: int, top: float) -> tuple[float, float]:
    return PAD + (i % LEGEND_COLUMNS) * LEGEND_ITEM, top + (i // LEGEND_COLUMNS) * LEGEND_ROW


def _names(participants: tuple[Participant, ...], x_of: dict[str, float], top: float) -> str:
    names = "".join(
        f'<text class="name" x="{num(x_of[p.id])}" y="{num(top + 18)}">'
        f"{escape(fit(p.label, int((BOX_MAX - 20) / BOLD)))}</text>"
        for p in participants
    )
    return f'<g class="names" aria-hidden="true">{names}</g>'


def _time(t: float, y: float) -> str:
    x = num(PAD + TIME_W - 10)
    return f'<text class="time" x="{x}" y="{num(y + 4)}">{escape(str(t))} ms</text>'


def _arrow(arrow: Arrow, x_of: dict[str, float], top: float, names: dict[str, str]) -> str:
    x1, x2, y = x_of[arrow.source], x_of[arrow.target], top + 22
    label = escape(fit(arrow.label, LABEL_CHARS))
    if arrow.source == arrow.target:  # a node sending to itself: a loop to the right
        d = f"M{num(x1)} {num(y - 6)}h34v14h-34"
        text = f'<text class="label label--self" x="{num(x1 + 42)}" y="{num(y + 4)}">{label}</text>'
    else:
        d = f"M{num(x1)} {num(y)}H{num(x2)}"
        text = f'<text class="label" x="{num((x1 + x2) / 2)}" y="{num(y - 7)}">{label}</text>'
    title = (
        f"#{arrow.seq} at {arrow.t} ms: {arrow.label}, {arrow.kind} {arrow.message_id},"
        f" {names[arrow.source]} → {names[arrow.target]}"
    )
    return (
        f'<g class="arrow arrow--{arrow.kind}" data-seq="{arrow.seq}"'
        f' data-message="{escape(arrow.message_id)}" data-kind="{arrow.kind}">'
        f"<title>{escape(title)}</title>{_time(arrow.t, y)}{_line(arrow.kind, d)}{text}</g>"
    )


def _note(
    mark: Mark, x_of: dict[str, float], top: float, left: float, names: dict[str, str]
) -> tuple[str, float]:
    words = f"{mark.symbol} {fit(mark.text, NOTE_CHARS)}"
    box = width_of(words) * 0.95 + 16  # notes are set at 12px
    xs = [x_of[i] for i in mark.over]
    span = max(xs) - min(xs)
    box = max(box, span + 40)
    x = max(left, (min(xs) + max(xs)) / 2 - box / 2)
    y = top + 15
    fill, stroke, dash = MARK_STYLE[mark.kind]
    dashed = "" if dash == "none" else f' stroke-dasharray="{dash}"'
    over = " and ".join(names[i] for i in mark.over)
    title = f"#{mark.seq} at {mark.t} ms, {MARK_WORDS[mark.kind]} over {over}: {mark.text}"
    message = "" if mark.message_id is None else f' data-message="{escape(mark.message_id)}"'
    return (
        f'<g class="mark mark--{mark.kind}" data-seq="{mark.seq}"{message}>'
        f"<title>{escape(title)}</title>{_time(mark.t, y)}"
        f'<rect class="note note--{mark.kind}" x="{num(x)}" y="{num(y - 11)}" width="{num(box)}"'
        f' height="22" rx="4" fill="{fill}" stroke="{stroke}"{dashed}/>'
        f'<text class="note-text" x="{num(x + box / 2)}" y="{num(y + 4)}">{escape(words)}</text>'
        "</g>"
    ), x + box
