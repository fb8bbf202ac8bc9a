"""Topology format v1: the public contract, as pydantic models.

The same models validate input and generate the published JSON Schema, so the two cannot
drift apart. They describe shape only; references between nodes are checked in
:mod:`simulator.engine.validate`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

SCHEMA_ID = "msglab/topology@1"
MAX_NODES = 200

MessageKind = Literal["command", "event", "query", "reply", "document"]
NodeId = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z][A-Za-z0-9_.\-]*$", min_length=1, max_length=64),
]
TYPE_PATTERN = r"^[A-Za-z][A-Za-z0-9_.]*$"
MessageType = Annotated[
    str,
    StringConstraints(pattern=TYPE_PATTERN, min_length=1, max_length=80),
]
Millis = Annotated[float, Field(ge=0, le=86_400_000)]
Rate = Annotated[float, Field(ge=0, le=1)]
Headers = dict[
    Annotated[str, StringConstraints(max_length=64)], Annotated[str, Field(max_length=256)]
]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Position(Strict):
    x: float
    y: float


class MessageSpec(Strict):
    """A message a client sends: what it is, not where it goes."""

    type: MessageType
    kind: MessageKind
    payload: dict[str, Any] = Field(default_factory=dict)
    headers: Headers = Field(default_factory=dict)


class Send(Strict):
    at_ms: Millis = 0
    to: NodeId
    message: MessageSpec
    every_ms: Annotated[float, Field(gt=0, le=86_400_000)] | None = None
    count: Annotated[int, Field(ge=1, le=1_000_000)] = 1


class Emit(Strict):
    type: MessageType
    kind: MessageKind
    to: NodeId
    payload: dict[str, Any] | None = None
    headers: Headers = Field(default_factory=dict)
    delay_ms: Millis = 0


class Reply(Strict):
    type: MessageType
    payload: dict[str, Any] | None = None


class OnFailure(Strict):
    emit: list[Emit] = Field(default_factory=list)


class Handler(Strict):
    duration_ms: Millis | None = None
    failure_rate: Rate | None = None
    emit: list[Emit] = Field(default_factory=list)
    reply: Reply | None = None
    on_failure: OnFailure | None = None


class NodeBase(Strict):
    id: NodeId
    label: Annotated[str, Field(max_length=60)] | None = None
    latency_ms: Millis | None = None
    position: Position | None = None


class ClientNode(NodeBase):
    kind: Literal["client"]
    sends: list[Send] = Field(default_factory=list)


class ServiceNode(NodeBase):
    kind: Literal["service"]
    consumes: list[NodeId] = Field(default_factory=list)
    subscribes: list[NodeId] = Field(default_factory=list)
    handles: dict[MessageType, Handler] = Field(default_factory=dict)
    duration_ms: Millis = 10
    failure_rate: Rate = 0
    idempotent: bool = False
    concurrency: Annotated[int, Field(ge=1, le=64)] = 1


class QueueNode(NodeBase):
    kind: Literal["queue"]
    max_deliveries: Annotated[int, Field(ge=1, le=100)] = 5
    dead_letter: NodeId | None = None
    duplicate_rate: Rate = 0


class TopicNode(NodeBase):
    kind: Literal["topic"]


Node = Annotated[ClientNode | ServiceNode | QueueNode | TopicNode, Field(discriminator="kind")]
NODE_KINDS = ("client", "service", "queue", "topic")


class TopologySpec(Strict):
    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        allow_inf_nan=False,
        title="msglab topology v1",
        json_schema_extra={
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": "/schema/topology.json",
        },
    )

    schema_: Literal["msglab/topology@1"] = Field(alias="schema")
    name: Annotated[str, Field(min_length=1, max_length=80)]
    description: Annotated[str, Field(max_length=2000)] = ""
    seed: Annotated[int, Field(ge=0, le=2**63 - 1)] = 0
    latency_ms: Millis = 10
    max_messages: Annotated[int, Field(ge=1, le=10_000_000)] = 10_000
    nodes: Annotated[list[Node], Field(min_length=1, max_length=MAX_NODES)]


def topology_json_schema() -> dict[str, Any]:
    """The JSON Schema of topology v1, as published at ``/schema/topology.json``."""
    # pydantic reads by_alias=None as its default, True: that mutant is equivalent
    return TopologySpec.model_json_schema(by_alias=True)  # pragma: no mutate
