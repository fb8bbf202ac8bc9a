"""What an exercise's checker works with: a finished run of the learner's topology, and the
criteria it reports.

A checker is a function ``check(topology) -> list[Criterion]`` in the ``check.py`` beside a
lesson (docs/lessons.md). It plays the topology with :class:`Run`, faults included, and says
for each thing the exercise asks whether it holds. The learner sees every criterion, so each
``text`` is a sentence about their system, true when ``holds``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from simulator.engine import ActionError, Simulation, Topology

MAX_EVENTS = 20_000  # a learner's topology may never end; a lesson's system needs far fewer

Record = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Criterion:
    text: str
    holds: bool


@dataclass(frozen=True, slots=True)
class Fault:
    """A control action applied once the run's clock reaches ``at_ms`` (docs/protocol.md:
    ``down``, ``up`` or ``fail_next`` of a service, or ``inject``)."""

    at_ms: float
    action: dict[str, Any]


class Run:
    """The learner's topology played to the end (or to :data:`MAX_EVENTS` steps), with the
    lesson's faults applied on the way."""

    def __init__(self, topology: Topology, faults: Iterable[Fault] = ()) -> None:
        self.topology = topology
        self.problems: list[str] = []  # faults that could not apply, in the learner's words
        sim = Simulation(topology)
        for fault in sorted(faults, key=lambda f: f.at_ms):
            sim.run(until_ms=fault.at_ms, max_events=MAX_EVENTS)
            try:
                sim.apply(fault.action)
            except ActionError as error:
                self.problems.append(_fault_problem(fault, error))
        sim.run(max_events=MAX_EVENTS)
        self.finished = sim.finished
        self.halted = sim.halted
        self.state = sim.state()
        self.trace: list[Record] = sim.trace()

    def __repr__(self) -> str:
        return f"<Run of {self.topology.name!r}: {len(self.trace)} records>"

    # ---- questions about the trace ------------------------------------------------------------

    def records(
        self,
        event: str | None = None,
        type: str | None = None,
        *,
        to: str | None = None,
        frm: str | None = None,
        kind: str | None = None,
    ) -> list[Record]:
        """The records that match every filter given (``type`` and ``kind`` are the
        message's)."""
        found = []
        for record in self.trace:
            message = record.get("message") or {}
            if (
                (event is None or record["event"] == event)
                and (type is None or message.get("type") == type)
                and (kind is None or message.get("kind") == kind)
                and (to is None or record["to"] == to)
                and (frm is None or record["from"] == frm)
            ):
                found.append(record)
        return found

    def count(self, event: str | None = None, type: str | None = None, **where: str) -> int:
        return len(self.records(event, type, **where))

    def handled(self, type: str, by: str | None = None) -> int:
        """How many times ``type`` was really handled (by ``by``): skipped repeats and
        replies do not count."""
        return sum(1 for r in self.records("handled", type, to=by) if not _unusual(r))

    def handlers_of(self, type: str) -> set[str]:
        """The services that really handled ``type`` at least once."""
        return {r["to"] for r in self.records("handled", type) if not _unusual(r)}

    def correlations(self, event: str, type: str, *, to: str | None = None) -> set[str]:
        """The correlation ids of the matching records: which conversations got that far."""
        return {r["message"]["correlation_id"] for r in self.records(event, type, to=to)}

    def node(self, node_id: str) -> Any | None:
        """The topology's node with that id, or ``None``."""
        index = self.topology.index.get(node_id)
        return None if index is None else self.topology.nodes[index]

    def emits(self, node_id: str, type: str) -> list[tuple[str, str, str]] | None:
        """What ``node_id``'s handler of ``type`` sends when it succeeds, as ``(type, kind,
        to)`` each; ``None`` when there is no such node or handler."""
        node = self.node(node_id)
        handler = None if node is None else node.handlers.get(type)
        if handler is None:
            return None
        return [(e.type, e.kind, self.topology.nodes[e.to].id) for e in handler.emits]

    def has(self, node_id: str, kind: str | None = None) -> bool:
        node = self.node(node_id)
        return node is not None and (kind is None or node.kind == kind)


def _unusual(record: Record) -> bool:
    detail = record.get("detail") or {}
    return bool(detail.get("skipped") or detail.get("reply"))


def _fault_problem(fault: Fault, error: ActionError) -> str:
    action = fault.action
    what = action.get("action")
    node = action.get("node") or action.get("to")
    return (
        f"The exercise takes {node!r} {what} at {fault.at_ms:g} ms, "
        f"but that cannot be done here: {error}"
    )


def criteria_hold(criteria: Sequence[Criterion]) -> bool:
    return bool(criteria) and all(c.holds for c in criteria)
