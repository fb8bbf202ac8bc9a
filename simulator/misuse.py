"""The misuse checker: each of the engine's lints in plain words, and a fix where one is obvious.

Pure Python, no Django. :data:`MISUSES` says, for every lint code, what it means, why it
matters and which lesson of the course covers it (by the lesson's slug, as in
``/lessons/<slug>/``). :func:`fix` turns a topology document and one of its warnings into a
new document without that warning, or says there is no fix it can be sure of.

A fix is conservative: it is offered only when the engine accepts the new document, the
warning is gone, and no warning of another kind has appeared (one trade is allowed: a topic
turned into a queue trades "nobody subscribes" for "nobody consumes").
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from simulator.engine import Lint, Topology, TopologyError, load_topology
from simulator.engine.lints import WHY, words

Document = dict[str, Any]
Part = str | int


@dataclass(frozen=True, slots=True)
class Misuse:
    """What one lint code means, for a learner."""

    code: str
    title: str  # plain words, e.g. "A command sent to a topic"
    explanation: str  # what the rule is
    why: str  # what goes wrong when it is broken
    lesson: str  # the slug of the lesson that covers it (lessons/course/NN-slug/)

    def to_dict(self) -> dict[str, str]:
        return {
            "code": self.code,
            "title": self.title,
            "explanation": self.explanation,
            "why": self.why,
            "lesson": self.lesson,
        }


@dataclass(frozen=True, slots=True)
class Fix:
    """A new topology document without the warning, and what was done, as a button says it."""

    label: str
    document: Document


def _misuses(*entries: Misuse) -> dict[str, Misuse]:
    return {entry.code: entry for entry in entries}


MISUSES = _misuses(
    Misuse(
        "command-to-topic",
        "A command sent to a topic",
        "A command asks one service to do one thing. A topic hands a copy of every message to "
        "each of its subscribers, so every subscriber carries the command out.",
        "With two subscribers the order ships twice and the card is charged twice; with none, "
        "the command is dropped and nothing happens. Send a command to a queue, where one "
        "consumer takes it, or straight to the service.",
        "queues-and-topics",
    ),
    Misuse(
        "command-past-tense",
        "A command named like an event",
        "A command gives an order: a verb, then what it acts on (PlaceOrder). A name in the "
        "past tense (OrderPlaced) reports something that already happened, which is what an "
        "event says.",
        "Names are the contract people read. A command that sounds like a fact hides that one "
        "service is being asked to act, and may refuse. Rename it as an order, or make it an "
        "event if it really reports a fact.",
        "command-vs-event",
    ),
    Misuse(
        "event-to-service",
        "An event sent straight to one service",
        "An event announces a fact to whoever cares, and its publisher names no receiver. "
        "Sending it to one service names a receiver, which is what a command does.",
        "The publisher is now tied to that service: every new listener means changing the "
        "publisher, and the event is a command in disguise. Publish it on a topic and let the "
        "services that care subscribe.",
        "command-vs-event",
    ),
    Misuse(
        "event-imperative",
        "An event named like a command",
        "An event's name says what happened, in the past tense (InvoiceCreated). A name that "
        "starts with an order (CreateInvoice) reads as a request someone must carry out.",
        "Subscribers cannot tell whether they hear a fact or are asked to act: one may do the "
        "work again, another wait for someone else to. Rename it in the past tense, or make "
        "it a command if it really asks for work.",
        "command-vs-event",
    ),
    Misuse(
        "queue-without-consumer",
        "A queue nobody consumes",
        "A queue keeps each message until a consumer takes it, and no service consumes this one.",
        "Whatever is sent there waits forever: the work never happens and the queue only "
        "grows. Make a service consume it, or remove it.",
        "queues-and-topics",
    ),
    Misuse(
        "topic-without-subscriber",
        "A topic nobody subscribes to",
        "A topic copies each message to every service subscribed at that moment, and this one "
        "has none.",
        "What is published there reaches nobody and is dropped. In production a broker that "
        "keeps its log can keep it for subscribers yet to come; here it is lost. Subscribe a "
        "service, or remove the topic.",
        "events",
    ),
    Misuse(
        "unhandled-type",
        "A message a service has no handler for",
        "A service picks its handler by the message's type. This service receives a type, "
        "through a queue, a topic or a direct call, that it has no handler for.",
        "The message is dropped when it arrives: the sender believes it was dealt with, and "
        "nothing happens. Add a handler, or stop routing that type to this service.",
        "what-is-a-message",
    ),
    Misuse(
        "message-cycle",
        "Messages that cause themselves again",
        "A message arriving somewhere leads, through the handlers it triggers, back to the "
        "same type of message arriving at the same place.",
        "The flow never ends: it runs until the message budget halts it. If a step on the way "
        "fans out (a topic, several emits), every round multiplies the messages: a storm that "
        "floods the broker. Give the loop an end: react only to what changes something.",
        "sagas",
    ),
)
"""Every lint code the engine can report (its ``WHY`` keys), explained; a test keeps the two
lists the same, so that a new lint cannot ship unexplained."""


def misuse(code: str) -> Misuse | None:
    return MISUSES.get(code)


def what(lint: Lint) -> str:
    """The lint's message without the one-liner that every warning of its code ends with
    (``lints.WHY``): the specific part, for a panel that explains the rest at length."""
    return lint.message.removesuffix(f": {WHY[lint.code]}.") if lint.code in WHY else lint.message


# ---- fixes ---------------------------------------------------------------------------------


def fix(document: Document, lint: Lint, topology: Topology | None = None) -> Fix | None:
    """A new document without ``lint`` (one of the document's warnings), or None when there is
    no fix it can be sure of. ``document`` is never changed; pass ``topology`` (the engine's
    for ``document``) to save loading it again."""
    if topology is None:
        try:
            topology = load_topology(document)
        except TopologyError:
            return None
    if lint not in topology.warnings:
        return None
    maker = _MAKERS.get(lint.code)
    if maker is None:
        return None
    try:
        made = maker(_copy(document), lint)
    except (LookupError, TypeError, ValueError):  # a path that does not lead where it says
        return None
    if made is None or not _better(topology, made.document, lint):
        return None
    return made


def fixes(document: Document, topology: Topology) -> Iterator[tuple[Lint, Fix | None]]:
    """Each warning of ``topology`` (the engine's for ``document``) with its fix, if any."""
    for lint in topology.warnings:
        yield lint, fix(document, lint, topology)


_TRADES = {"queue-without-consumer": "topic-without-subscriber"}  # a topic turned into a queue


def _better(before: Topology, document: Document, lint: Lint) -> bool:
    """The fixed document runs, has lost the warning, and has gained no other kind."""
    try:
        after = load_topology(document)
    except TopologyError:
        return False
    if lint in after.warnings or any(
        (w.code, w.message) == (lint.code, lint.message) for w in after.warnings
    ):
        return False
    old = Counter(_TRADES.get(w.code, w.code) for w in before.warnings)
    new = Counter(_TRADES.get(w.code, w.code) for w in after.warnings)
    code = _TRADES.get(lint.code, lint.code)
    return new[code] < old[code] and all(new[c] <= old[c] for c in new)


def _copy(document: Document) -> Document:
    """A deep copy; a topology is JSON, and a JSON round trip copies it 3 times faster."""
    copied: Document = json.loads(json.dumps(document))
    return copied


# ---- where a warning points ----------------------------------------------------------------

_PART = re.compile(r"\.?([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]|\['([^']*)'\]")


def parse_path(path: str) -> list[Part]:
    """``nodes[2].handles['a.B'].emit[0]`` (a path as the engine writes it) as parts:
    ``["nodes", 2, "handles", "a.B", "emit", 0]``. ValueError if it is not one."""
    parts: list[Part] = []
    at = 0
    while at < len(path):
        match = _PART.match(path, at)
        if match is None or (match.group(0).startswith(".") and not parts):
            raise ValueError(f"not a path: {path!r}")
        name, index, quoted = match.groups()
        parts.append(int(index) if index is not None else (name or quoted))
        at = match.end()
    return parts


def _at(document: Any, parts: list[Part]) -> Any:
    for part in parts:
        document = document[part]
    return document


@dataclass
class _Message:
    """A send or an emit in the document, as a lint's path names it."""

    sender: Document  # the node that sends it
    holder: Document  # where `type` and `kind` are: the emit, or the send's `message`
    route: Document  # where `to` is: the emit, or the send

    @property
    def type(self) -> str:
        return str(self.holder["type"])

    @property
    def kind(self) -> str:
        return str(self.holder["kind"])

    @property
    def to(self) -> str:
        return str(self.route["to"])


def _message(document: Document, path: str) -> _Message:
    parts = parse_path(path)
    if parts[:1] != ["nodes"] or len(parts) < 4:
        raise ValueError(f"not a message's path: {path!r}")
    sender = _at(document, parts[:2])
    route = _at(document, parts)
    holder = route["message"] if parts[2] == "sends" else route
    if not isinstance(holder, dict) or "to" not in route:
        raise ValueError(f"not a message's path: {path!r}")
    return _Message(sender, holder, route)


def _nodes(document: Document) -> list[Document]:
    return [n for n in document["nodes"] if isinstance(n, dict)]


def _node(document: Document, node_id: str) -> Document:
    for node in _nodes(document):
        if node.get("id") == node_id:
            return node
    raise KeyError(node_id)


def _routes(document: Document) -> Iterator[tuple[Document, Document]]:
    """Every send and emit of the document: (where `to` is, where `type` and `kind` are)."""
    for node in _nodes(document):
        for send in node.get("sends", []):
            yield send, send["message"]
        for handler in node.get("handles", {}).values():
            emits = handler.get("emit", []) + (handler.get("on_failure") or {}).get("emit", [])
            for emit in emits:
                yield emit, emit


def _ends_with(type_name: str, suffixes: tuple[str, ...]) -> bool:
    return type_name.split(".")[-1].endswith(suffixes)


# ---- one maker per lint code: the changed document (a copy, free to change), or None ------


def _topic_into_queue(document: Document, lint: Lint) -> Fix | None:
    topic_id = _message(document, lint.path).to
    # An event on this topic would quietly reach one subscriber instead of all: not obvious.
    if any(route["to"] == topic_id and msg["kind"] == "event" for route, msg in _routes(document)):
        return None
    _node(document, topic_id)["kind"] = "queue"
    for node in _nodes(document):
        subscribes = node.get("subscribes", [])
        if topic_id in subscribes:
            node["subscribes"] = [t for t in subscribes if t != topic_id]
            if not node["subscribes"]:
                del node["subscribes"]
            consumes = node.setdefault("consumes", [])
            if topic_id not in consumes:
                consumes.append(topic_id)
    return Fix(f"Turn topic {topic_id} into a queue", document)


def _topic_between(document: Document, lint: Lint) -> Fix | None:
    message = _message(document, lint.path)
    service = _node(document, message.to)
    parts = words(message.type)
    taken = {n.get("id") for n in _nodes(document)}
    base = f"{parts[0].lower() if parts else 'new'}.events"
    topic_id, n = base, 2
    while topic_id in taken:
        topic_id, n = f"{base}-{n}", n + 1
    topic: Document = {"id": topic_id, "kind": "topic"}
    a, b = message.sender.get("position"), service.get("position")
    if isinstance(a, dict) and isinstance(b, dict):
        topic["position"] = {"x": round((a["x"] + b["x"]) / 2), "y": round((a["y"] + b["y"]) / 2)}
    document["nodes"].append(topic)
    message.route["to"] = topic_id
    service.setdefault("subscribes", []).append(topic_id)
    return Fix(f"Publish {message.type} on a new topic {topic_id}", document)


def _into_event(document: Document, lint: Lint) -> Fix | None:
    message = _message(document, lint.path)
    target = _node(document, message.to)
    # An event suits a topic; on a queue or to a service it would be the next warning.
    if target.get("kind") != "topic" or _ends_with(message.type, ("Command", "Cmd")):
        return None
    message.holder["kind"] = "event"
    return Fix(f"Make {message.type} an event", document)


def _into_command(document: Document, lint: Lint) -> Fix | None:
    message = _message(document, lint.path)
    target = _node(document, message.to)
    if target.get("kind") not in ("queue", "service") or _ends_with(message.type, ("Event", "Evt")):
        return None
    message.holder["kind"] = "command"
    return Fix(f"Make {message.type} a command", document)


def _remove_unused(document: Document, lint: Lint) -> Fix | None:
    index = parse_path(lint.path)
    if len(index) != 2 or index[0] != "nodes" or not isinstance(index[1], int):
        return None
    node = document["nodes"][index[1]]
    node_id = node["id"]
    used = any(route["to"] == node_id for route, _ in _routes(document)) or any(
        n.get("dead_letter") == node_id for n in _nodes(document)
    )
    if used:  # something sends there: which service should receive it is the learner's call
        return None
    del document["nodes"][index[1]]
    return Fix(f"Remove the unused {node['kind']} {node_id}", document)


def _empty_handler(document: Document, lint: Lint) -> Fix | None:
    message = _message(document, lint.path)
    target = _node(document, message.to)
    if target.get("kind") == "service":
        receivers = [target]
    else:
        wire = "consumes" if target.get("kind") == "queue" else "subscribes"
        receivers = [n for n in _nodes(document) if message.to in n.get(wire, [])]
    for service in receivers:
        if lint.message.startswith(f"{service['id']!r} receives "):
            service.setdefault("handles", {})[message.type] = {}
            return Fix(f"Add an empty {message.type} handler to {service['id']}", document)
    return None


_MAKERS: dict[str, Callable[[Document, Lint], Fix | None]] = {
    "command-to-topic": _topic_into_queue,
    "event-to-service": _topic_between,
    "command-past-tense": _into_event,
    "event-imperative": _into_command,
    "queue-without-consumer": _remove_unused,
    "topic-without-subscriber": _remove_unused,
    "unhandled-type": _empty_handler,
}
