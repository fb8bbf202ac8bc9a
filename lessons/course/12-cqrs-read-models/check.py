"""Lesson 12's exercise: the Email Service writes its confirmation from an event that carries
the order's state, asks the write side nothing, and the read model keeps working."""

from __future__ import annotations

from typing import Any

from lessons.checking import Criterion, Run
from simulator.engine import Topology

ORDER = "A123"
NEEDED = ("email", "itemCount", "totalAmount")  # what a confirmation email is written from


def _carries_the_order(record: dict[str, Any]) -> bool:
    message = record.get("message") or {}
    payload = message.get("payload") or {}
    return (
        message.get("kind") == "event"
        and payload.get("orderId") == ORDER
        and all(key in payload for key in NEEDED)
    )


def check(topology: Topology) -> list[Criterion]:
    run = Run(topology)
    events_at_email = [
        r
        for r in run.records("handled", to="email", kind="event")
        if not (r.get("detail") or {}).get("skipped")
    ]
    write_side_emits = run.emits("orders", "PlaceOrderCommand") or []
    return [
        Criterion(
            "The Order Service, the write side, still handles PlaceOrderCommand and publishes "
            "OrderPlacedEvent on order.events",
            run.handled("PlaceOrderCommand", by="orders") == 1
            and ("OrderPlacedEvent", "event", "order.events") in write_side_emits,
        ),
        Criterion(
            "The read model still works: the Order Summary Projector updates Order summaries, "
            "which answers the Customer page's GetOrderSummaryQuery with OrderSummaryReply",
            run.handled("OrderPlacedEvent", by="order-projector") == 1
            and run.handled("UpdateOrderSummaryCommand", by="order-summaries") == 1
            and run.handled("GetOrderSummaryQuery", by="order-summaries") == 1
            and run.count("hop", "OrderSummaryReply", frm="order-summaries", to="customer") == 1,
        ),
        Criterion(
            "The Email Service receives an event about order A123 that carries the customer's "
            "email address, the item count and the total (email, itemCount, totalAmount)",
            any(_carries_the_order(r) for r in events_at_email),
        ),
        Criterion(
            "The Email Service asks nobody for the order's details: it sends no query, and the "
            "Order Service answers none",
            run.count("hop", frm="email", kind="query") == 0
            and run.count("handled", to="orders", kind="query") == 0,
        ),
        Criterion(
            "The Email Service handles exactly one event for the order, so the customer gets "
            "one confirmation, not two",
            len(events_at_email) == 1,
        ),
    ]
