"""The benchmark's one model: an order flow scaled to N orders, as a msglab topology.

The same flow is written in SimPy in :mod:`bench.simpy_orders`; both take their numbers
(latency, durations, payloads) from the constants here so they cannot drift apart.

    gateway --PlaceOrderCommand--> order.commands --> orders
    orders --OrderCreatedEvent--> order.events --> inventory, billing, notification
    billing --CreateInvoiceCommand--> invoice.commands --> invoices
    invoices --InvoiceCreatedEvent--> invoice.events --> notification
"""

from __future__ import annotations

from typing import Any

LATENCY_MS = 1.0  # every hop takes this long
DURATION_MS = 0.2  # every handler takes this long
# One order every 1.5 ms: a queue consumer is busy 1.2 ms per order (the 1 ms hop from the queue
# plus 0.2 ms handling), so the flow keeps up instead of backing up without bound.
EVERY_MS = 1.5

ORDER_PAYLOAD = {"orderId": "A123", "customerId": "C55", "totalAmount": 499.99}
INVOICE_COMMAND_PAYLOAD = {"amount": 499.99}
INVOICE_EVENT_PAYLOAD = {"invoiceId": "INV-001"}


def order_flow_topology(n_orders: int, every_ms: float = EVERY_MS) -> dict[str, Any]:
    """The order flow: the gateway sends ``n_orders`` PlaceOrderCommands, ``every_ms`` apart."""
    return {
        "schema": "msglab/topology@1",
        "name": f"bench: order flow x{n_orders}",
        "description": "Benchmark model: the order flow, scaled to many orders.",
        "seed": 1,
        "latency_ms": LATENCY_MS,
        # 4 messages per order (topic copies share their id); ample head-room on top.
        "max_messages": min(10_000_000, 10 * n_orders + 100),
        "nodes": [
            {
                "id": "gateway",
                "kind": "client",
                "sends": [
                    {
                        "at_ms": 0,
                        "to": "order.commands",
                        "message": {
                            "type": "PlaceOrderCommand",
                            "kind": "command",
                            "payload": dict(ORDER_PAYLOAD),
                        },
                        "every_ms": every_ms,
                        "count": n_orders,
                    }
                ],
            },
            {"id": "order.commands", "kind": "queue"},
            {
                "id": "orders",
                "kind": "service",
                "consumes": ["order.commands"],
                "duration_ms": DURATION_MS,
                "handles": {
                    "PlaceOrderCommand": {
                        "emit": [
                            {"type": "OrderCreatedEvent", "kind": "event", "to": "order.events"}
                        ]
                    }
                },
            },
            {"id": "order.events", "kind": "topic"},
            {
                "id": "inventory",
                "kind": "service",
                "subscribes": ["order.events"],
                "duration_ms": DURATION_MS,
                "handles": {"OrderCreatedEvent": {}},
            },
            {
                "id": "billing",
                "kind": "service",
                "subscribes": ["order.events"],
                "duration_ms": DURATION_MS,
                "handles": {
                    "OrderCreatedEvent": {
                        "emit": [
                            {
                                "type": "CreateInvoiceCommand",
                                "kind": "command",
                                "to": "invoice.commands",
                                "payload": dict(INVOICE_COMMAND_PAYLOAD),
                            }
                        ]
                    }
                },
            },
            {
                "id": "notification",
                "kind": "service",
                "subscribes": ["order.events", "invoice.events"],
                "duration_ms": DURATION_MS,
                "handles": {"OrderCreatedEvent": {}, "InvoiceCreatedEvent": {}},
            },
            {"id": "invoice.commands", "kind": "queue"},
            {
                "id": "invoices",
                "kind": "service",
                "consumes": ["invoice.commands"],
                "duration_ms": DURATION_MS,
                "handles": {
                    "CreateInvoiceCommand": {
                        "emit": [
                            {
                                "type": "InvoiceCreatedEvent",
                                "kind": "event",
                                "to": "invoice.events",
                                "payload": dict(INVOICE_EVENT_PAYLOAD),
                            }
                        ]
                    }
                },
            },
            {"id": "invoice.events", "kind": "topic"},
        ],
    }


def hops_per_order(topology: dict[str, Any]) -> tuple[int, list[str]]:
    """Count the hops one client send causes, by walking the topology (no simulation).

    Returns the count and the hops as ``"from->to"`` strings. A queue hands a message to ONE
    consumer (the first; they are interchangeable here), a topic to every subscriber.
    Assumes an acyclic flow without failures, which is what the benchmark model is.
    """
    nodes = {n["id"]: n for n in topology["nodes"]}
    consumers: dict[str, list[str]] = {}
    subscribers: dict[str, list[str]] = {}
    for n in topology["nodes"]:
        for q in n.get("consumes", []):
            consumers.setdefault(q, []).append(n["id"])
        for t in n.get("subscribes", []):
            subscribers.setdefault(t, []).append(n["id"])
    hops: list[str] = []

    def arrive(src: str, dst: str, mtype: str) -> None:
        hops.append(f"{src}->{dst}")
        kind = nodes[dst]["kind"]
        if kind == "queue":
            arrive(dst, consumers[dst][0], mtype)
        elif kind == "topic":
            for sub in subscribers.get(dst, []):
                arrive(dst, sub, mtype)
        elif kind == "service":
            handler = nodes[dst].get("handles", {}).get(mtype) or {}
            for emit in handler.get("emit", []):
                arrive(dst, emit["to"], emit["type"])

    client = nodes["gateway"]
    send = client["sends"][0]
    arrive("gateway", send["to"], send["message"]["type"])
    return len(hops), hops
