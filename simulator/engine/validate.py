"""Turn untrusted JSON into a :class:`Topology`, or one error that lists every problem.

Shape is checked by the pydantic models in :mod:`spec`; references between nodes are checked
here on the raw data, so a file with both kinds of mistake reports both at once.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from pydantic import ValidationError

from . import cycles, lints
from .errors import Problem, TopologyError
from .spec import NODE_KINDS, TYPE_PATTERN, ClientNode, QueueNode, ServiceNode, TopologySpec
from .spec import Emit as EmitSpec
from .topology import NO_NODE, Emit, Handler, Node, Send, Topology, micros

_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
SENDABLE = ("queue", "topic", "service")
PATTERN_WORDS = {"a message type": ", '_' or '.'", "an id": ", '.', '_' or '-'"}


def load_topology(data: object) -> Topology:
    spec, problems = _parse(data)
    problems += _reference_problems(data)
    if spec is None or problems:
        raise TopologyError(problems)
    topology = _compile(spec)
    return replace(topology, warnings=tuple(lints.check(topology)) + cycles.analyse(topology))


def json_path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for i, part in enumerate(loc):
        # a tagged union puts the tag in the location: nodes.3.service.handles -> nodes[3].handles
        if i == 2 and loc[0] == "nodes" and part in NODE_KINDS:
            continue
        if isinstance(part, int):
            out += f"[{part}]"
        elif _PLAIN_KEY.match(part):
            out += f".{part}" if out else part
        else:
            out += f"[{part!r}]"
    return out


def _parse(data: object) -> tuple[TopologySpec | None, list[Problem]]:
    try:
        return TopologySpec.model_validate(data), []
    except ValidationError as error:
        return None, [Problem(_where(e), _message(e)) for e in error.errors()]


def _where(error: Any) -> str:
    loc = error["loc"]
    if loc and loc[-1] == "[key]":  # pydantic's marker for a bad key of a mapping
        return json_path(loc[:-1])
    if error["type"] in ("union_tag_invalid", "union_tag_not_found"):
        return f"{json_path(loc)}.kind"  # the union's tag is the node's kind
    return json_path(loc)


def _message(error: Any) -> str:
    kind = error["type"]
    if kind == "model_type" and not error["loc"]:
        return "a topology must be a JSON object"
    if kind == "string_pattern_mismatch":
        what = "a message type" if error["ctx"]["pattern"] == TYPE_PATTERN else "an id"
        return f"{what} starts with a letter, then letters, digits{PATTERN_WORDS[what]}"
    if kind == "extra_forbidden":
        return f"unknown field {error['loc'][-1]!r}"
    if kind == "missing":
        return "required"
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        return "must be one of " + ", ".join(NODE_KINDS)
    return str(error["msg"])


def _reference_problems(data: object) -> list[Problem]:
    if not isinstance(data, dict) or not isinstance(data.get("nodes"), list):
        return []
    kinds: dict[str, str] = {}
    first: dict[str, int] = {}
    problems: list[Problem] = []
    nodes = [(i, n) for i, n in enumerate(data["nodes"]) if isinstance(n, dict)]
    for i, node in nodes:
        node_id = node.get("id")
        if not isinstance(node_id, str):
            continue
        if node_id in first:
            problems.append(
                Problem(
                    f"nodes[{i}].id",
                    f"duplicate id {node_id!r}, first used at nodes[{first[node_id]}]",
                )
            )
        else:
            first[node_id] = i
            kinds[node_id] = str(node.get("kind"))

    def expect(path: str, ref: object, allowed: tuple[str, ...], role: str) -> None:
        if not isinstance(ref, str):
            return
        if ref not in kinds:
            problems.append(Problem(path, f"unknown node {ref!r}"))
        elif kinds[ref] not in allowed:
            problems.append(Problem(path, f"{ref!r} is a {kinds[ref]}; {role}"))

    for i, node in nodes:
        here = f"nodes[{i}]"
        for j, ref in enumerate(_list(node.get("consumes"))):
            expect(
                f"{here}.consumes[{j}]",
                ref,
                ("queue",),
                "a service consumes queues (subscribe to topics)",
            )
        for j, ref in enumerate(_list(node.get("subscribes"))):
            expect(
                f"{here}.subscribes[{j}]",
                ref,
                ("topic",),
                "a service subscribes to topics (consume queues)",
            )
        for j, send in enumerate(_list(node.get("sends"))):
            if isinstance(send, dict):
                expect(
                    f"{here}.sends[{j}].to",
                    send.get("to"),
                    SENDABLE,
                    "send to a queue, topic or service",
                )
        for path, emit in _raw_emits(here, node.get("handles")):
            expect(f"{path}.to", emit.get("to"), SENDABLE, "emit to a queue, topic or service")
        if "dead_letter" in node:
            ref = node["dead_letter"]
            expect(f"{here}.dead_letter", ref, ("queue",), "a dead-letter target must be a queue")
            if ref == node.get("id"):
                problems.append(
                    Problem(f"{here}.dead_letter", "a queue cannot be its own dead-letter queue")
                )
    return problems


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _raw_emits(here: str, handles: object) -> Iterator[tuple[str, dict[str, Any]]]:
    if not isinstance(handles, dict):
        return
    for type_name, handler in handles.items():
        if not isinstance(handler, dict):
            continue
        base = f"{here}.{json_path(('handles', type_name))}"
        for j, emit in enumerate(_list(handler.get("emit"))):
            if isinstance(emit, dict):
                yield f"{base}.emit[{j}]", emit
        on_failure = handler.get("on_failure")
        if isinstance(on_failure, dict):
            for j, emit in enumerate(_list(on_failure.get("emit"))):
                if isinstance(emit, dict):
                    yield f"{base}.on_failure.emit[{j}]", emit


def _compile(spec: TopologySpec) -> Topology:
    index = {node.id: i for i, node in enumerate(spec.nodes)}
    default_latency = micros(spec.latency_ms)
    consumers: dict[str, list[int]] = {}
    subscribers: dict[str, list[int]] = {}
    for i, node in enumerate(spec.nodes):
        if isinstance(node, ServiceNode):
            for q in dict.fromkeys(node.consumes):
                consumers.setdefault(q, []).append(i)
            for t in dict.fromkeys(node.subscribes):
                subscribers.setdefault(t, []).append(i)

    def emit(e: EmitSpec, path: str) -> Emit:
        return Emit(e.type, e.kind, index[e.to], e.payload, e.headers, micros(e.delay_ms), path)

    nodes = []
    for i, n in enumerate(spec.nodes):
        here = f"nodes[{i}]"
        label = n.label or n.id
        latency = default_latency if n.latency_ms is None else micros(n.latency_ms)
        common = (i, n.id, n.kind, label, latency, here)
        if isinstance(n, ServiceNode):
            handlers = {}
            for type_name, h in n.handles.items():
                hpath = f"{here}.{json_path(('handles', type_name))}"
                reply = None
                if h.reply is not None:
                    reply = Emit(
                        h.reply.type, "reply", NO_NODE, h.reply.payload, {}, 0, f"{hpath}.reply"
                    )
                handlers[type_name] = Handler(
                    type=type_name,
                    duration=micros(n.duration_ms if h.duration_ms is None else h.duration_ms),
                    failure_rate=n.failure_rate if h.failure_rate is None else h.failure_rate,
                    emits=tuple(emit(e, f"{hpath}.emit[{j}]") for j, e in enumerate(h.emit)),
                    reply=reply,
                    on_failure=tuple(
                        emit(e, f"{hpath}.on_failure.emit[{j}]")
                        for j, e in enumerate(h.on_failure.emit if h.on_failure else ())
                    ),
                    path=hpath,
                )
            nodes.append(
                Node(
                    *common,
                    handlers=handlers,
                    consumes=tuple(index[q] for q in dict.fromkeys(n.consumes)),
                    idempotent=n.idempotent,
                    concurrency=n.concurrency,
                )
            )
        elif isinstance(n, QueueNode):
            nodes.append(
                Node(
                    *common,
                    consumers=tuple(consumers.get(n.id, ())),
                    max_deliveries=n.max_deliveries,
                    dead_letter=NO_NODE if n.dead_letter is None else index[n.dead_letter],
                    duplicate_rate=n.duplicate_rate,
                )
            )
        elif isinstance(n, ClientNode):
            sends = tuple(
                Send(
                    at=micros(s.at_ms),
                    to=index[s.to],
                    type=s.message.type,
                    kind=s.message.kind,
                    payload=s.message.payload,
                    headers=s.message.headers,
                    every=micros(s.every_ms or 0),
                    count=s.count,
                    path=f"{here}.sends[{j}]",
                )
                for j, s in enumerate(n.sends)
            )
            nodes.append(Node(*common, sends=sends))
        else:
            nodes.append(Node(*common, subscribers=tuple(subscribers.get(n.id, ()))))
    # load_topology replaces the warnings before anyone reads them
    return Topology(spec=spec, nodes=tuple(nodes), index=index, warnings=())  # pragma: no mutate
