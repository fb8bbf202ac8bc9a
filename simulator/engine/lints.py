"""Teaching lints: things that run but misuse commands, events or the broker."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from .topology import Lint, Node, Topology

_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z][a-z0-9]*|[a-z0-9]+")
_SUFFIXES = {"Command", "Cmd", "Event", "Evt", "Message", "Msg"}
_IRREGULAR_PAST = {
    "Paid",
    "Sent",
    "Sold",
    "Built",
    "Made",
    "Held",
    "Lost",
    "Found",
    "Done",
    "Taken",
    "Given",
    "Chosen",
    "Won",
}
_NOT_PAST = {"Embed", "Shed", "Bed", "Red", "Med"}  # end in -ed, are not past tense
IMPERATIVE_VERBS = {
    "Accept",
    "Add",
    "Allocate",
    "Approve",
    "Assign",
    "Book",
    "Calculate",
    "Cancel",
    "Capture",
    "Change",
    "Charge",
    "Check",
    "Close",
    "Complete",
    "Confirm",
    "Create",
    "Debit",
    "Credit",
    "Delete",
    "Deliver",
    "Disable",
    "Do",
    "Enable",
    "Generate",
    "Get",
    "Issue",
    "Make",
    "Notify",
    "Open",
    "Pay",
    "Place",
    "Process",
    "Publish",
    "Refund",
    "Register",
    "Reject",
    "Release",
    "Remove",
    "Request",
    "Reserve",
    "Schedule",
    "Send",
    "Set",
    "Ship",
    "Start",
    "Stop",
    "Submit",
    "Update",
    "Validate",
}


def words(type_name: str) -> list[str]:
    found = _WORD.findall(type_name.split(".")[-1])
    parts = [w[:1].upper() + w[1:] for w in found]
    # Stripping a lone suffix too, or keeping one after a single word, would read the same to the
    # lints: no suffix is a verb or a past tense, and no verb is a past tense.
    while len(parts) > 1 and parts[-1] in _SUFFIXES:  # pragma: no mutate
        parts.pop()
    return parts


def is_past_tense(word: str) -> bool:
    if word in _IRREGULAR_PAST:
        return True
    return (
        word.endswith("ed") and not word.endswith("eed") and word not in _NOT_PAST and len(word) > 3
    )


@dataclass(frozen=True, slots=True)
class Sent:
    path: str
    type: str
    kind: str
    to: Node


def sent_messages(topology: Topology) -> Iterator[Sent]:
    nodes = topology.nodes
    for node in nodes:
        for send in node.sends:
            yield Sent(send.path, send.type, send.kind, nodes[send.to])
        for handler in node.handlers.values():
            for emit in handler.emits + handler.on_failure:
                yield Sent(emit.path, emit.type, emit.kind, nodes[emit.to])


WHY = {
    "command-to-topic": "a command has exactly one receiver, so send it to a queue or a service",
    "command-past-tense": "a command asks for something to happen (PlaceOrder); an event says it"
    " did (OrderPlaced)",
    "event-to-service": "an event is for any number of listeners, so publish it to a topic",
    "event-imperative": "an event states a fact in the past tense (InvoiceCreated); a command"
    " gives the order (CreateInvoice)",
    "queue-without-consumer": "its messages wait forever",
    "topic-without-subscriber": "what is published there reaches nobody",
    "unhandled-type": "the message will be dropped",
    "message-cycle": "messages keep causing each other; a run halts at its budget, or as soon as"
    " a storm is detected",
}
"""Each lint's one-line explanation, the same wherever a lint is shown."""


def lint(path: str, code: str, what: str) -> Lint:
    return Lint(path, code, f"{what}: {WHY[code]}.")


def check(topology: Topology) -> Iterator[Lint]:
    yield from _naming_and_routing(topology)
    yield from _dead_ends(topology)
    yield from _unhandled(topology)


def _naming_and_routing(topology: Topology) -> Iterator[Lint]:
    for m in sent_messages(topology):
        parts = words(m.type)
        if m.kind == "command":
            if m.to.kind == "topic":
                what = f"{m.type} is a command published to topic {m.to.id!r}"
                yield lint(m.path, "command-to-topic", what)
            if parts and (is_past_tense(parts[0]) or is_past_tense(parts[-1])):
                what = f"{m.type} is a command named in the past tense"
                yield lint(m.path, "command-past-tense", what)
        elif m.kind == "event":
            if m.to.kind == "service":
                what = f"{m.type} is an event sent directly to {m.to.id!r}"
                yield lint(m.path, "event-to-service", what)
            if parts and parts[0] in IMPERATIVE_VERBS and not is_past_tense(parts[-1]):
                what = f"{m.type} is an event named as an order"
                yield lint(m.path, "event-imperative", what)


def _dead_ends(topology: Topology) -> Iterator[Lint]:
    for node in topology.nodes:
        if node.kind == "queue" and not node.consumers:
            yield lint(
                node.path, "queue-without-consumer", f"No service consumes queue {node.id!r}"
            )
        if node.kind == "topic" and not node.subscribers:
            what = f"No service subscribes to topic {node.id!r}"
            yield lint(node.path, "topic-without-subscriber", what)


def _unhandled(topology: Topology) -> Iterator[Lint]:
    seen: set[tuple[int, str]] = set()
    nodes = topology.nodes
    for m in sent_messages(topology):
        if m.to.kind == "queue":
            receivers = m.to.consumers
        elif m.to.kind == "topic":
            receivers = m.to.subscribers
        else:  # messages go only to queues, topics and services: this is a service
            receivers = (m.to.index,) if m.to.kind == "service" else ()  # pragma: no mutate
        for r in receivers:
            service = nodes[r]
            if m.type not in service.handlers and (r, m.type) not in seen:
                seen.add((r, m.type))
                what = f"{service.id!r} receives {m.type} via {m.to.id!r} but has no handler for it"
                yield lint(m.path, "unhandled-type", what)
