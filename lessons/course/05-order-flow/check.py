"""Lesson 5's exercise: Notification hears about new orders, and the Order Service is as it was."""

from __future__ import annotations

from lessons.checking import Criterion, Run
from simulator.engine import Topology


def check(topology: Topology) -> list[Criterion]:
    run = Run(topology)
    return [
        Criterion(
            "The Order Service still handles PlaceOrderCommand and publishes exactly "
            "OrderCreatedEvent on order.events, nothing else",
            run.emits("orders", "PlaceOrderCommand")
            == [("OrderCreatedEvent", "event", "order.events")]
            and run.handled("PlaceOrderCommand", by="orders") == 1,
        ),
        Criterion(
            "The Notification Service handles OrderCreatedEvent",
            run.handled("OrderCreatedEvent", by="notification") == 1,
        ),
        Criterion(
            "Inventory and Billing still hear about the order",
            run.handled("OrderCreatedEvent", by="inventory") == 1
            and run.handled("OrderCreatedEvent", by="billing") == 1,
        ),
        Criterion(
            "The customer is still told about the invoice (Notification handles "
            "InvoiceCreatedEvent)",
            run.handled("InvoiceCreatedEvent", by="notification") == 1,
        ),
    ]
