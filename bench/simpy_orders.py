"""The benchmark's order flow written as idiomatic SimPy (the peer msglab is measured against).

Same semantics as msglab's model in :mod:`bench.models`:

- every hop takes ``LATENCY_MS``: a small delivery process per hop (``env.timeout`` then a
  ``put`` into the destination's store), the way a SimPy user writes a network delay;
- a queue is a ``simpy.Store``; its consumers ``get`` from it (competing consumers). The hop
  queue -> consumer is taken by the consumer after its ``get`` (it is reserved meanwhile, as
  msglab hands a queued message to one idle consumer);
- a topic is a ``simpy.Store`` plus a process that copies each published message (same id)
  to every subscriber's inbox store, one delivery (hop) per subscriber;
- a service is one process looping ``msg = yield inbox.get(); yield env.timeout(duration)``
  then emitting: it handles one message at a time;
- one trace tuple ``(t, "hop", from, to, msg_id)`` per hop, appended to a list.

``run_orders(n, deliver="callback")`` swaps the per-hop delivery process for a bare
``env.timeout`` with a callback (a hand-tuned variant, reported for information only).
"""

from __future__ import annotations

import itertools
from collections.abc import Generator
from typing import Any

import simpy

from bench.models import (
    DURATION_MS,
    EVERY_MS,
    INVOICE_COMMAND_PAYLOAD,
    INVOICE_EVENT_PAYLOAD,
    LATENCY_MS,
    ORDER_PAYLOAD,
)

Trace = list[tuple[float, str, str, str, str]]
Proc = Generator[simpy.Event, Any, None]  # a SimPy process: yields events, is sent their values


def run_orders(n_orders: int, deliver: str = "process", every_ms: float = EVERY_MS) -> Trace:
    """Simulate ``n_orders`` orders to the end; return the hop trace."""
    env = simpy.Environment()
    trace: Trace = []
    ids = itertools.count(1)

    # -- the network: one hop = LATENCY_MS, then the message lands in the destination store
    def delivery(src: str, dst: str, store: simpy.Store, msg: dict) -> Proc:
        yield env.timeout(LATENCY_MS)
        trace.append((env.now, "hop", src, dst, msg["id"]))
        store.put(msg)

    def send_process(src: str, dst: str, store: simpy.Store, msg: dict) -> None:
        env.process(delivery(src, dst, store, msg))

    def send_callback(src: str, dst: str, store: simpy.Store, msg: dict) -> None:
        def arrive(_event: simpy.Event) -> None:
            trace.append((env.now, "hop", src, dst, msg["id"]))
            store.put(msg)

        env.timeout(LATENCY_MS).callbacks.append(arrive)

    if deliver == "process":
        send = send_process
    elif deliver == "callback":
        send = send_callback
    else:
        raise ValueError(f"unknown delivery variant {deliver!r}")

    # -- stores: one per queue, one per topic (its intake), one inbox per subscribing service
    order_commands = simpy.Store(env)
    invoice_commands = simpy.Store(env)
    order_events = simpy.Store(env)
    invoice_events = simpy.Store(env)
    inbox = {name: simpy.Store(env) for name in ("inventory", "billing", "notification")}
    stores = {
        "order.commands": order_commands,
        "invoice.commands": invoice_commands,
        "order.events": order_events,
        "invoice.events": invoice_events,
    }

    def new_message(mtype: str, kind: str, payload: dict, cause: dict | None) -> dict[str, Any]:
        mid = f"m{next(ids)}"
        return {
            "id": mid,
            "type": mtype,
            "kind": kind,
            "correlation_id": cause["correlation_id"] if cause else mid,
            "causation_id": cause["id"] if cause else None,
            "payload": payload,
            "sent_at": env.now,
        }

    # handlers: message type -> list of (type, kind, to, extra payload)
    handlers: dict[str, dict[str, list[tuple[str, str, str, dict | None]]]] = {
        "orders": {"PlaceOrderCommand": [("OrderCreatedEvent", "event", "order.events", None)]},
        "inventory": {"OrderCreatedEvent": []},
        "billing": {
            "OrderCreatedEvent": [
                ("CreateInvoiceCommand", "command", "invoice.commands", INVOICE_COMMAND_PAYLOAD)
            ]
        },
        "notification": {"OrderCreatedEvent": [], "InvoiceCreatedEvent": []},
        "invoices": {
            "CreateInvoiceCommand": [
                ("InvoiceCreatedEvent", "event", "invoice.events", INVOICE_EVENT_PAYLOAD)
            ]
        },
    }

    def service(name: str, source: simpy.Store, from_queue: str | None) -> Proc:
        table = handlers[name]
        while True:
            msg = yield source.get()
            if from_queue is not None:  # the hop queue -> this consumer
                yield env.timeout(LATENCY_MS)
                trace.append((env.now, "hop", from_queue, name, msg["id"]))
            yield env.timeout(DURATION_MS)
            for mtype, kind, to, extra in table[msg["type"]]:
                payload = {**msg["payload"], **extra} if extra else dict(msg["payload"])
                send(name, to, stores[to], new_message(mtype, kind, payload, msg))

    def topic(name: str, intake: simpy.Store, subscribers: list[str]) -> Proc:
        while True:
            msg = yield intake.get()
            for sub in subscribers:
                send(name, sub, inbox[sub], msg)

    def client() -> Proc:
        for _ in range(n_orders):
            msg = new_message("PlaceOrderCommand", "command", dict(ORDER_PAYLOAD), None)
            send("gateway", "order.commands", order_commands, msg)
            yield env.timeout(every_ms)

    env.process(client())
    env.process(service("orders", order_commands, "order.commands"))
    env.process(service("invoices", invoice_commands, "invoice.commands"))
    for name in ("inventory", "billing", "notification"):
        env.process(service(name, inbox[name], None))
    env.process(topic("order.events", order_events, ["inventory", "billing", "notification"]))
    env.process(topic("invoice.events", invoice_events, ["notification"]))
    env.run()
    return trace


if __name__ == "__main__":  # a quick look: python -m bench.simpy_orders
    t = run_orders(2)
    for rec in t:
        print(rec)
    print(len(t), "hops")
