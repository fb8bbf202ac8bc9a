"""Lesson 11's exercise: when the card is declined, the orchestrated saga releases the stock and
cancels the order; when the card is accepted, it approves the order and undoes nothing."""

from __future__ import annotations

from typing import Any

from lessons.checking import Criterion, Run
from simulator.engine import Topology, TopologyError, load_topology

CHARGE = "ChargePaymentCommand"
RELEASE = "ReleaseStockCommand"
CANCEL = "CancelOrderCommand"
APPROVE = "ApproveOrderCommand"
ORCHESTRATOR = "order-saga"


def _without_failures(topology: Topology) -> Topology | None:
    """The learner's system where nothing fails: every service's and handler's failure rate at
    0. The run of this copy is the happy path, where the card is accepted."""
    document: dict[str, Any] = topology.to_dict()
    for node in document["nodes"]:
        if node.get("kind") == "service":
            node["failure_rate"] = 0
            for handler in (node.get("handles") or {}).values():
                handler["failure_rate"] = 0
    try:
        return load_topology(document)
    except TopologyError:
        return None


def _seq(records: list[dict[str, Any]]) -> int | None:
    return records[0]["seq"] if records else None


def _real(run: Run, type_: str, by: str) -> list[dict[str, Any]]:
    return [
        r
        for r in run.records("handled", type_, to=by)
        if not (r.get("detail") or {}).get("skipped")
    ]


def check(topology: Topology) -> list[Criterion]:
    run = Run(topology)  # as written: the Payment Service declines the card
    created = _seq(_real(run, "CreateOrderCommand", "orders"))
    reserved = _seq(_real(run, "ReserveStockCommand", "inventory"))
    charging = _seq(run.records("hop", CHARGE, to="payments"))
    declined = _seq(run.records("failed", CHARGE, to="payments"))
    released = _real(run, RELEASE, "inventory")
    cancelled = _real(run, CANCEL, "orders")

    in_order = (
        created is not None
        and reserved is not None
        and charging is not None
        and created < reserved < charging
    )
    happy_topology = _without_failures(topology)
    happy = Run(happy_topology) if happy_topology is not None else None

    return [
        Criterion(
            "The saga still runs its steps in order: the Order Service creates the order, then "
            "Inventory reserves the stock, then the Payment Service is asked to charge the card",
            in_order,
        ),
        Criterion(
            "The Payment Service still declines the card: ChargePaymentCommand fails and is "
            "never charged",
            declined is not None and run.handled(CHARGE, by="payments") == 0,
        ),
        Criterion(
            "After the payment fails, Inventory releases the reserved stock, exactly once",
            declined is not None and len(released) == 1 and released[0]["seq"] > declined,
        ),
        Criterion(
            "After the payment fails, the Order Service cancels the order, exactly once, and "
            "does not approve it",
            declined is not None
            and len(cancelled) == 1
            and cancelled[0]["seq"] > declined
            and run.handled(APPROVE, by="orders") == 0,
        ),
        Criterion(
            "The Order Saga Orchestrator sends both compensating commands (ReleaseStockCommand "
            "and CancelOrderCommand): the plan, undo steps included, stays in one place",
            run.count("hop", RELEASE, frm=ORCHESTRATOR) >= 1
            and run.count("hop", CANCEL, frm=ORCHESTRATOR) >= 1,
        ),
        Criterion(
            "The orchestrator hears that both compensations are done (it handles "
            "StockReleasedEvent and OrderCancelledEvent)",
            run.handled("StockReleasedEvent", by=ORCHESTRATOR) >= 1
            and run.handled("OrderCancelledEvent", by=ORCHESTRATOR) >= 1,
        ),
        Criterion(
            "When the card is accepted (this check also plays your system with every failure "
            "rate at 0), the order is approved and nothing is released or cancelled",
            happy is not None
            and happy.handled(CHARGE, by="payments") == 1
            and happy.handled(APPROVE, by="orders") == 1
            and happy.handled(RELEASE) == 0
            and happy.handled(CANCEL) == 0,
        ),
    ]
