"""A run as a sequence diagram: the one model that the Mermaid and SVG exports both draw.

A lifeline per node that appears in the records, left to right in the order the diagram lays
the nodes out (`simulator.engine.layout`); an arrow per ``hop`` record in time order; a mark
per ``failed``, ``retry``, ``dead_lettered``, ``dropped`` and ``halted`` record, over the
lifeline(s) it concerns. ``handled`` and ``waiting`` records draw nothing: the next arrow (or
its absence) already tells them.

Records are the dicts ``Simulation.trace()`` returns; keys the engine does not write (the live
run adds a narration ``text``) are ignored. At most :data:`LIMIT` records are drawn: beyond
that, the latest ones are kept and the model says how many it left out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from simulator.engine import Topology
from simulator.engine.layout import layout

LIMIT = 5000  # records drawn at most: the latest ones are kept

LineStyle = Literal["solid", "dashed", "dotted", "dashdot"]
MarkKind = Literal["failed", "retry", "dead_lettered", "dropped", "halted"]

# A message's kind is told by its line (and, in the renderers, its arrowhead), not colour alone.
# Commands and queries both ask for something, so both are solid; documents are data on the
# move, dash-dotted. Unknown kinds are drawn as commands.
KINDS: tuple[str, ...] = ("command", "query", "event", "reply", "document")
LINE: dict[str, LineStyle] = {
    "command": "solid",
    "query": "solid",
    "event": "dashed",
    "reply": "dotted",
    "document": "dashdot",
}
MARKS: tuple[MarkKind, ...] = ("failed", "retry", "dead_lettered", "dropped", "halted")
SYMBOL: dict[MarkKind, str] = {
    "failed": "✗",
    "retry": "↻",
    "dead_lettered": "☠",
    "dropped": "⊘",
    "halted": "■",
}
MARK_WORDS: dict[MarkKind, str] = {
    "failed": "failed",
    "retry": "retry",
    "dead_lettered": "dead-lettered",
    "dropped": "dropped",
    "halted": "halted",
}


@dataclass(frozen=True, slots=True)
class Participant:
    id: str  # the node id
    alias: str  # n1, n2, …: safe wherever an identifier is needed
    label: str
    kind: str  # client, service, queue, topic; "" for a node the topology does not know


@dataclass(frozen=True, slots=True)
class Arrow:
    """One ``hop`` record: a message travelled from one lifeline to another."""

    seq: int
    t: int | float
    source: str
    target: str
    message_id: str
    message_type: str
    kind: str  # one of KINDS
    attempt: int  # the delivery's number: above 1 for a redelivery
    duplicate: bool

    @property
    def line(self) -> LineStyle:
        return LINE[self.kind]

    @property
    def label(self) -> str:
        extra = " (document)" if self.kind == "document" else ""
        if self.attempt > 1:
            extra += f" (attempt {self.attempt})"
        if self.duplicate:
            extra += " (duplicate)"
        return f"{self.message_type}{extra}"


@dataclass(frozen=True, slots=True)
class Mark:
    """A failure, retry, dead letter, drop or halt: a note over one or two lifelines."""

    seq: int
    t: int | float
    kind: MarkKind
    over: tuple[str, ...]  # participant ids, one or two
    message_id: str | None
    text: str  # in words, without the symbol

    @property
    def symbol(self) -> str:
        return SYMBOL[self.kind]


Item = Arrow | Mark


@dataclass(frozen=True, slots=True)
class SequenceDiagram:
    title: str
    participants: tuple[Participant, ...]
    items: tuple[Item, ...]  # in record order
    records: int  # how many records were drawn from
    omitted: int  # how many earlier records were given but left out (beyond LIMIT)
    first_seq: int | None  # the first drawn record's seq

    @property
    def arrows(self) -> tuple[Arrow, ...]:
        return tuple(item for item in self.items if isinstance(item, Arrow))

    @property
    def marks(self) -> tuple[Mark, ...]:
        return tuple(item for item in self.items if isinstance(item, Mark))

    @property
    def starts_late(self) -> bool:
        """Whether records before the first one drawn exist (left out here or by the caller)."""
        return self.first_seq is not None and self.first_seq > 1

    def participant(self, node_id: str) -> Participant:
        return next(p for p in self.participants if p.id == node_id)


def build(topology: Topology, records: Sequence[Mapping[str, Any]]) -> SequenceDiagram:
    """The sequence diagram of ``records`` (the latest :data:`LIMIT` of them)."""
    omitted = max(0, len(records) - LIMIT)
    kept = records[omitted:]
    items: list[Item] = []
    for record in kept:
        item = _item(record)
        if item is not None:
            items.append(item)
    seen: set[str] = set()
    for item in items:
        seen.update((item.source, item.target) if isinstance(item, Arrow) else item.over)
    if not kept:  # nothing happened yet: show the cast
        seen = {node.id for node in topology.nodes}
    return SequenceDiagram(
        title=topology.name,
        participants=_participants(topology, seen),
        items=tuple(items),
        records=len(kept),
        omitted=omitted,
        first_seq=int(kept[0]["seq"]) if kept else None,
    )


def _participants(topology: Topology, seen: Iterable[str]) -> tuple[Participant, ...]:
    """Left to right as the diagram lays the nodes out; unknown ids last, by name."""
    where = layout(topology)
    known = [n for n in topology.nodes if n.id in set(seen)]
    known.sort(key=lambda n: (where[n.id]["x"], where[n.id]["y"], n.index))
    unknown = sorted(set(seen) - {n.id for n in topology.nodes})
    rows = [(n.id, n.label, n.kind) for n in known] + [(i, i, "") for i in unknown]
    return tuple(
        Participant(id=node_id, alias=f"n{k}", label=label, kind=kind)
        for k, (node_id, label, kind) in enumerate(rows, start=1)
    )


def _item(record: Mapping[str, Any]) -> Item | None:
    event = record.get("event")
    frm, to = record.get("from"), record.get("to")
    message = record.get("message") or {}
    detail = record.get("detail") or {}
    seq, t = int(record["seq"]), record["t"]
    message_id = message.get("id")
    what = str(message.get("type", "message"))
    if event == "hop":
        if frm is None or to is None:
            return None  # the engine never writes one; nothing to draw between
        kind = message.get("kind")
        return Arrow(
            seq=seq,
            t=t,
            source=str(frm),
            target=str(to),
            message_id=str(message_id),
            message_type=what,
            kind=kind if kind in LINE else "command",
            attempt=int(detail.get("attempt", 1)),
            duplicate=bool(detail.get("duplicate", False)),
        )
    if event not in MARKS:
        return None
    reason = str(detail.get("reason", ""))

    over: tuple[Any, ...]
    if event == "failed":  # `to` is the node that failed it
        over, text = (to or frm,), f"failed {what} — {reason}" if reason else f"failed {what}"
    elif event == "retry":  # from the service back to the queue
        over = (frm, to)
        text = f"retry {what}, delivery {detail.get('attempt', '?')}"
    elif event == "dead_lettered":  # from the queue to its dead-letter queue
        over = (frm, to)
        deliveries = detail.get("deliveries", "?")
        text = f"dead-lettered {what} after {deliveries} deliveries"
    elif event == "dropped":  # by the service that got it, or the topic/queue that had it
        over, text = (to or frm,), f"dropped {what} — {reason}" if reason else f"dropped {what}"
    else:  # halted
        over = (frm,)
        text = f"run halted — {detail.get('message') or reason or 'the run stopped'}"
    ids = tuple(dict.fromkeys(str(i) for i in over if i is not None))
    if not ids:
        return None
    return Mark(
        seq=seq,
        t=t,
        kind=event,
        over=ids,
        message_id=None if message_id is None else str(message_id),
        text=text,
    )
