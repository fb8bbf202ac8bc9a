"""What starter code needs to know about a topology, in names both languages can use.

From a :class:`~simulator.engine.Topology` this collects the message types (kind, and the
payload fields seen anywhere: a client's sends, emits, replies, and what flows on from the
message that caused them), which service handles which type from which queue, topic or direct
call, and what each handler sends. The code writers (:mod:`.spring`, :mod:`.python`) only
format it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from simulator.engine import Topology
from simulator.engine.spec import ClientNode, QueueNode, ServiceNode, TopicNode
from simulator.engine.spec import Emit as EmitSpec

from . import names

Base = Literal["str", "int", "float", "bool", "list", "dict", "any"]
Via = Literal["queue", "topic", "service", "reply"]
LONG_MIN, LONG_MAX = -(2**63), 2**63 - 1

_JAVA_TYPES: dict[Base, tuple[str, str]] = {
    # base: (Java type, the same when null was seen too)
    "str": ("String", "String"),
    "int": ("long", "Long"),
    "float": ("double", "Double"),
    "bool": ("boolean", "Boolean"),
    "list": ("List<Object>", "List<Object>"),
    "dict": ("Map<String, Object>", "Map<String, Object>"),
    "any": ("Object", "Object"),
}
_PYTHON_TYPES: dict[Base, str] = {
    "str": "str",
    "int": "int",
    "float": "float",
    "bool": "bool",
    "list": "list[Any]",
    "dict": "dict[str, Any]",
    "any": "Any",
}


def json_kind(value: Any) -> str:
    """The JSON type of a payload value, as the generated code types it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        # beyond a Java long: a double holds it, roughly
        return "int" if LONG_MIN <= value <= LONG_MAX else "float"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "str"
    if isinstance(value, list | tuple):
        return "list"
    if isinstance(value, dict):
        return "dict"
    return "any"


@dataclass(frozen=True, slots=True)
class FieldType:
    base: Base
    nullable: bool

    @classmethod
    def of(cls, kinds: set[str] | frozenset[str]) -> FieldType:
        seen = set(kinds) - {"null"}
        base: Base
        if len(seen) == 1 and (only := next(iter(seen))) in _PYTHON_TYPES:
            base = only
        elif seen == {"int", "float"}:
            base = "float"
        else:
            base = "any"
        return cls(base, "null" in kinds)

    @property
    def java(self) -> str:
        plain, boxed = _JAVA_TYPES[self.base]
        return boxed if self.nullable else plain

    @property
    def python(self) -> str:
        hint = _PYTHON_TYPES[self.base]
        return f"{hint} | None" if self.nullable and self.base != "any" else hint


@dataclass(frozen=True, slots=True)
class Field:
    key: str  # the payload key, as it travels in JSON
    java: str  # the record component
    python: str  # the dataclass field
    type: FieldType


@dataclass(frozen=True, slots=True)
class MessageType:
    name: str  # as in the topology
    kind: str | None  # None: handled somewhere, but nothing in the topology sends it
    kinds: tuple[str, ...]  # every kind it is sent as (normally one)
    java: str
    python: str
    java_handler: str  # onOrderCreatedEvent
    python_handler: str  # on_order_created_event
    fields: tuple[Field, ...]

    def field(self, key: str) -> Field | None:
        return next((f for f in self.fields if f.key == key), None)


@dataclass(frozen=True, slots=True)
class Arg:
    """One constructor argument of a message being sent: a value written in the topology, the
    incoming message's field of the same name (payloads flow on), or nothing known."""

    field: Field
    source: Literal["literal", "incoming", "missing"]
    value: Any = None
    incoming: Field | None = None


@dataclass(frozen=True, slots=True)
class Output:
    """A message a client sends or a handler emits or replies."""

    message: MessageType
    via: Via
    to: str | None  # the node id; None for a reply (it goes back to whoever asked)
    to_label: str
    args: tuple[Arg, ...]
    delay_ms: float = 0
    headers: tuple[tuple[str, str], ...] = ()
    answer: MessageType | None = None  # the reply the receiving handler sends back, if any
    # a client's send
    at_ms: float = 0
    count: int = 1
    every_ms: float | None = None


@dataclass(frozen=True, slots=True)
class Handler:
    message: MessageType
    queues: tuple[str, ...]  # consumed queues that carry this type
    topics: tuple[str, ...]  # subscribed topics that carry it
    direct_from: tuple[str, ...]  # labels of the nodes that send it straight to the service
    emits: tuple[Output, ...]
    on_failure: tuple[Output, ...]
    reply: Output | None

    @property
    def reached(self) -> bool:
        return bool(self.queues or self.topics or self.direct_from)


@dataclass(frozen=True, slots=True)
class Service:
    id: str
    label: str
    java: str
    python: str
    python_var: str
    queues: tuple[str, ...]
    topics: tuple[str, ...]
    handlers: tuple[Handler, ...]
    unhandled: tuple[tuple[str, str], ...]  # (queue, topic or "direct", type) with no handler
    idempotent: bool
    concurrency: int

    def handled_on(self, channel: str) -> tuple[Handler, ...]:
        return tuple(h for h in self.handlers if channel in h.queues or channel in h.topics)


@dataclass(frozen=True, slots=True)
class Client:
    id: str
    label: str
    java: str
    python: str
    python_var: str
    sends: tuple[Output, ...]


@dataclass(frozen=True, slots=True)
class Channel:
    id: str
    kind: Literal["queue", "topic"]
    label: str
    java_bean: str
    carries: tuple[str, ...]  # message types that reach it
    consumers: tuple[str, ...]  # labels of the services that consume or subscribe
    max_deliveries: int = 5
    dead_letter: str | None = None
    duplicate_rate: float = 0


@dataclass(frozen=True, slots=True)
class Model:
    name: str
    description: str
    java_application: str
    java_package: str
    python_module: str
    messages: tuple[MessageType, ...]
    channels: tuple[Channel, ...]
    services: tuple[Service, ...]
    clients: tuple[Client, ...]

    @property
    def queues(self) -> tuple[Channel, ...]:
        return tuple(c for c in self.channels if c.kind == "queue")

    @property
    def topics(self) -> tuple[Channel, ...]:
        return tuple(c for c in self.channels if c.kind == "topic")

    @property
    def uses_rabbit(self) -> bool:
        return bool(self.queues)

    @property
    def uses_kafka(self) -> bool:
        return bool(self.topics)

    def outputs(self) -> Iterator[Output]:
        for client in self.clients:
            yield from client.sends
        for service in self.services:
            for handler in service.handlers:
                yield from handler.emits
                yield from handler.on_failure
                if handler.reply is not None:
                    yield handler.reply


# ---- collecting ------------------------------------------------------------------------------


@dataclass(slots=True)
class _Seen:
    kinds: list[str]
    payload: dict[str, set[str]]  # key -> JSON kinds


def build(topology: Topology) -> Model:
    spec = topology.spec
    nodes = {node.id: node for node in spec.nodes}
    services = [n for n in spec.nodes if isinstance(n, ServiceNode)]
    clients = [n for n in spec.nodes if isinstance(n, ClientNode)]

    def label(node_id: str) -> str:
        node = nodes[node_id]
        return node.label or node.id

    # every message type, in the order the topology first mentions it; its kinds and payloads
    seen: dict[str, _Seen] = {}
    key_order: dict[str, int] = {}  # payload keys in order of first appearance, for field order

    def see(type_name: str, kind: str | None, payload: Mapping[str, Any] | None = None) -> None:
        entry = seen.setdefault(type_name, _Seen([], {}))
        if kind is not None and kind not in entry.kinds:
            entry.kinds.append(kind)
        for key, value in (payload or {}).items():
            entry.payload.setdefault(key, set()).add(json_kind(value))
            key_order.setdefault(key, len(key_order))

    for client in clients:
        for send in client.sends:
            see(send.message.type, send.message.kind, send.message.payload)
    for service in services:
        for type_name, handler in service.handles.items():
            see(type_name, None)
            for emit in _emits(handler.emit, handler.on_failure.emit if handler.on_failure else []):
                see(emit.type, emit.kind, emit.payload)
            if handler.reply is not None:
                see(handler.reply.type, "reply", handler.reply.payload)

    # payloads flow on: what a handler sends carries the incoming payload, updated with its own
    flows: list[tuple[str, str, frozenset[str]]] = []
    for service in services:
        for type_name, handler in service.handles.items():
            outs: list[tuple[str, Mapping[str, Any] | None]] = [
                (e.type, e.payload)
                for e in _emits(handler.emit, handler.on_failure.emit if handler.on_failure else [])
            ]
            if handler.reply is not None:
                outs.append((handler.reply.type, handler.reply.payload))
            for out_type, payload in outs:
                flows.append((type_name, out_type, frozenset(payload or ())))
    changed = True
    while changed:
        changed = False
        for source, target, overridden in flows:
            into = seen[target].payload
            for key, kinds in seen[source].payload.items():
                if key in overridden or kinds <= into.get(key, set()):
                    continue
                into.setdefault(key, set()).update(kinds)
                changed = True

    app = names.java_class(spec.name, fallback="Msglab", role="Flow") + "Application"
    java_classes = names.Names(names.JAVA_TYPE_NAMES | {app})
    python_classes = names.Names(names.PYTHON_MODULE_NAMES)
    python_handlers = names.Names(sep="_")
    messages: dict[str, MessageType] = {}
    for type_name, entry in seen.items():
        java = java_classes.claim(names.java_class(type_name, fallback="Message", role="Message"))
        python = python_classes.claim(
            names.python_class(type_name, fallback="Message", role="Message")
        )
        java_fields, python_fields = names.Names(), names.Names(sep="_")
        fields = tuple(
            Field(
                key=key,
                java=java_fields.claim(names.java_member(key)),
                python=python_fields.claim(names.python_member(key)),
                type=FieldType.of(entry.payload[key]),
            )
            for key in sorted(entry.payload, key=key_order.__getitem__)
        )
        messages[type_name] = MessageType(
            name=type_name,
            kind=entry.kinds[0] if entry.kinds else None,
            kinds=tuple(entry.kinds),
            java=java,
            python=python,
            java_handler="on" + java,
            python_handler=python_handlers.claim("on_" + names.snake(python)),
            fields=fields,
        )

    # which types reach each queue and topic (a dead-letter queue gets its queue's), and which
    # are sent straight to each service
    carries: dict[str, dict[str, None]] = {
        n.id: {} for n in spec.nodes if isinstance(n, QueueNode | TopicNode)
    }
    direct: dict[str, dict[str, list[str]]] = {
        s.id: {} for s in services
    }  # service -> type -> from

    def route(sender: str, to: str, type_name: str) -> None:
        if to in carries:
            carries[to][type_name] = None
        elif to in direct:
            froms = direct[to].setdefault(type_name, [])
            if label(sender) not in froms:
                froms.append(label(sender))

    for client in clients:
        for send in client.sends:
            route(client.id, send.to, send.message.type)
    for service in services:
        for handler in service.handles.values():
            for emit in _emits(handler.emit, handler.on_failure.emit if handler.on_failure else []):
                route(service.id, emit.to, emit.type)
    changed = True
    while changed:
        changed = False
        for node in spec.nodes:
            if isinstance(node, QueueNode) and node.dead_letter is not None:
                letters = carries[node.dead_letter]
                missing = [t for t in carries[node.id] if t not in letters]
                letters.update(dict.fromkeys(missing))
                changed = changed or bool(missing)

    def answer(to: str, type_name: str) -> MessageType | None:
        """The reply a handler at `to` (a service, or a queue's consumers) sends back."""
        receivers = [s for s in services if to == s.id or to in s.consumes]
        for receiver in receivers:
            handler = receiver.handles.get(type_name)
            if handler is not None and handler.reply is not None:
                return messages[handler.reply.type]
        return None

    def output(
        type_name: str,
        kind_of_target: Via,
        to: str | None,
        payload: Mapping[str, Any] | None,
        incoming: MessageType | None,
    ) -> tuple[MessageType, Via, str | None, str, tuple[Arg, ...]]:
        message = messages[type_name]
        args = []
        for f in message.fields:
            if payload is not None and f.key in payload:
                args.append(Arg(f, "literal", value=payload[f.key]))
            elif incoming is not None and (source := incoming.field(f.key)) is not None:
                args.append(Arg(f, "incoming", incoming=source))
            else:
                args.append(Arg(f, "missing"))
        to_label = label(to) if to is not None else "the sender"
        return message, kind_of_target, to, to_label, tuple(args)

    def via(to: str) -> Via:
        kind = nodes[to].kind
        return kind if kind in ("queue", "topic", "service") else "service"

    def emitted(emit: EmitSpec, incoming: MessageType) -> Output:
        return Output(
            *output(emit.type, via(emit.to), emit.to, emit.payload, incoming),
            delay_ms=emit.delay_ms,
            headers=tuple(emit.headers.items()),
            answer=answer(emit.to, emit.type) if nodes[emit.to].kind != "topic" else None,
        )

    service_vars = names.Names(names.PYTHON_RESERVED | names.PYTHON_LOCAL_NAMES, sep="_")
    built_services = []
    for service in services:
        consumes, subscribes = (
            tuple(dict.fromkeys(service.consumes)),
            tuple(dict.fromkeys(service.subscribes)),
        )
        handlers = []
        for type_name, spec_handler in service.handles.items():
            incoming = messages[type_name]
            reply = None
            if spec_handler.reply is not None:
                reply = Output(
                    *output(
                        spec_handler.reply.type, "reply", None, spec_handler.reply.payload, incoming
                    )
                )
            handlers.append(
                Handler(
                    message=incoming,
                    queues=tuple(q for q in consumes if type_name in carries[q]),
                    topics=tuple(t for t in subscribes if type_name in carries[t]),
                    direct_from=tuple(direct[service.id].get(type_name, ())),
                    emits=tuple(emitted(e, incoming) for e in spec_handler.emit),
                    on_failure=tuple(
                        emitted(e, incoming)
                        for e in (spec_handler.on_failure.emit if spec_handler.on_failure else ())
                    ),
                    reply=reply,
                )
            )
        unhandled = [
            (channel, type_name)
            for channel in (*consumes, *subscribes)
            for type_name in carries[channel]
            if type_name not in service.handles
        ] + [
            ("direct", type_name)
            for type_name in direct[service.id]
            if type_name not in service.handles
        ]
        java = java_classes.claim(
            names.java_class(label(service.id), fallback="Service", role="Service")
        )
        python = python_classes.claim(
            names.python_class(label(service.id), fallback="Service", role="Service")
        )
        built_services.append(
            Service(
                id=service.id,
                label=label(service.id),
                java=java,
                python=python,
                python_var=service_vars.claim(names.python_member(python, fallback="service")),
                queues=consumes,
                topics=subscribes,
                handlers=tuple(handlers),
                unhandled=tuple(unhandled),
                idempotent=service.idempotent,
                concurrency=service.concurrency,
            )
        )

    built_clients = []
    for client in clients:
        java = java_classes.claim(
            names.java_class(label(client.id), fallback="Client", role="Client")
        )
        python = python_classes.claim(
            names.python_class(label(client.id), fallback="Client", role="Client")
        )
        sends = tuple(
            Output(
                *output(s.message.type, via(s.to), s.to, s.message.payload, None),
                headers=tuple(s.message.headers.items()),
                answer=answer(s.to, s.message.type) if nodes[s.to].kind != "topic" else None,
                at_ms=s.at_ms,
                count=s.count,
                every_ms=s.every_ms,
            )
            for s in client.sends
        )
        built_clients.append(
            Client(
                id=client.id,
                label=label(client.id),
                java=java,
                python=python,
                python_var=service_vars.claim(names.python_member(python, fallback="client")),
                sends=sends,
            )
        )

    beans = names.Names({"jsonMessageConverter"})
    channels = []
    for node in spec.nodes:
        if isinstance(node, QueueNode | TopicNode):
            kind: Literal["queue", "topic"] = node.kind
            listeners = [
                label(s.id)
                for s in services
                if node.id in (s.consumes if kind == "queue" else s.subscribes)
            ]
            queue = node if isinstance(node, QueueNode) else None
            channels.append(
                Channel(
                    id=node.id,
                    kind=kind,
                    label=label(node.id),
                    java_bean=beans.claim(names.camel(node.id) + kind.capitalize()),
                    carries=tuple(carries[node.id]),
                    consumers=tuple(listeners),
                    max_deliveries=queue.max_deliveries if queue else 5,
                    dead_letter=queue.dead_letter if queue else None,
                    duplicate_rate=queue.duplicate_rate if queue else 0,
                )
            )

    return Model(
        name=spec.name,
        description=spec.description,
        java_application=app,
        java_package="com.example." + names.java_package_part(spec.name),
        python_module=names.python_module(spec.name),
        messages=tuple(messages.values()),
        channels=tuple(channels),
        services=tuple(built_services),
        clients=tuple(built_clients),
    )


def _emits(emits: list[EmitSpec], on_failure: list[EmitSpec]) -> list[EmitSpec]:
    return [*emits, *on_failure]
