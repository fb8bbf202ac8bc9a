"""The compiled topology: validated nodes turned into indexed, immutable records.

The simulation works on node indexes and integer microseconds; the JSON ids and milliseconds of
the file only appear again when a record is turned into JSON.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .spec import TopologySpec

NO_NODE = 255  # "no node" in a packed trace record; the format caps nodes at 200


def micros(ms: float) -> int:
    return round(ms * 1000)


def millis(us: int) -> int | float:
    """Milliseconds for JSON: whole numbers stay integers so traces read cleanly."""
    return us // 1000 if us % 1000 == 0 else us / 1000


@dataclass(frozen=True, slots=True)
class Cycle:
    """A set of (node, type) arrivals that can cause each other again."""

    multiplies: bool
    types: tuple[str, ...]
    nodes: tuple[str, ...]

    @property
    def kind(self) -> str:
        return "storm" if self.multiplies else "loop"


@dataclass(frozen=True, slots=True)
class Emit:
    type: str
    kind: str
    to: int
    payload: dict[str, Any] | None
    headers: dict[str, str]
    delay: int
    path: str


@dataclass(slots=True)
class Handler:
    type: str
    duration: int
    failure_rate: float
    emits: tuple[Emit, ...]
    reply: Emit | None  # `to` is unused: a reply goes back to the message's source
    on_failure: tuple[Emit, ...]
    path: str
    cycle: Cycle | None = None  # filled in once the whole graph is known
    outputs: tuple[Emit, ...] = ()  # what a successful handling sends: emits, then the reply

    def __post_init__(self) -> None:
        self.outputs = self.emits if self.reply is None else (*self.emits, self.reply)


@dataclass(frozen=True, slots=True)
class Send:
    at: int
    to: int
    type: str
    kind: str
    payload: dict[str, Any]
    headers: dict[str, str]
    every: int
    count: int
    path: str


@dataclass(frozen=True, slots=True)
class Node:
    index: int
    id: str
    kind: str
    label: str
    latency: int
    path: str
    # service
    handlers: dict[str, Handler] = field(default_factory=dict)
    consumes: tuple[int, ...] = ()
    idempotent: bool = False
    concurrency: int = 1
    # queue
    consumers: tuple[int, ...] = ()
    max_deliveries: int = 5
    dead_letter: int = NO_NODE
    duplicate_rate: float = 0.0
    # topic
    subscribers: tuple[int, ...] = ()
    # client
    sends: tuple[Send, ...] = ()


@dataclass(frozen=True, slots=True)
class Lint:
    """A teaching hint: the topology runs, but it shows something worth a second look."""

    path: str
    code: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"path": self.path, "code": self.code, "message": self.message}


@dataclass(frozen=True, slots=True)
class Topology:
    spec: TopologySpec
    nodes: tuple[Node, ...]
    index: dict[str, int]
    warnings: tuple[Lint, ...]

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def description(self) -> str:
        return self.spec.description

    @property
    def seed(self) -> int:
        return self.spec.seed

    @property
    def max_messages(self) -> int:
        return self.spec.max_messages

    def node(self, node_id: str) -> Node:
        return self.nodes[self.index[node_id]]

    def to_dict(self) -> dict[str, Any]:
        """The topology as JSON, defaults filled in."""
        return self.spec.model_dump(mode="json", by_alias=True)
