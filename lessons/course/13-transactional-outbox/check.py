"""Lesson 13's exercise: every order the database saves reaches Inventory and the Email Service,
although publishing OrderCreatedEvent still fails half the time."""

from __future__ import annotations

from collections import Counter
from typing import Any

from lessons.checking import Criterion, Fault, Run
from simulator.engine import Topology

EVENT = "OrderCreatedEvent"
PLACE = "PlaceOrderCommand"
ORDERS = 6
MIN_FAILURE_RATE = 0.5
SUBSCRIBERS = (("inventory", "Inventory"), ("email", "the Email Service"))


def _publishers(topology: Topology) -> list[tuple[str, str, float]]:
    """Every handler that publishes OrderCreatedEvent when it succeeds: (node, type, rate)."""
    return [
        (node.id, handler.type, handler.failure_rate)
        for node in topology.nodes
        for handler in node.handlers.values()
        if any(out.type == EVENT for out in handler.outputs)
    ]


def _published_on_failure(topology: Topology) -> bool:
    return any(
        emit.type == EVENT
        for node in topology.nodes
        for handler in node.handlers.values()
        for emit in handler.on_failure
    )


def _real(run: Run, type_: str | None, by: str) -> list[dict[str, Any]]:
    return [
        r
        for r in run.records("handled", type_, to=by)
        if not (r.get("detail") or {}).get("skipped") and not (r.get("detail") or {}).get("reply")
    ]


def check(topology: Topology) -> list[Criterion]:
    publishers = _publishers(topology)
    # a lucky seed is no fix: the first publishing attempt of every publisher fails for sure
    run = Run(
        topology,
        faults=[
            Fault(0, {"action": "fail_next", "node": node, "type": type_})
            for node, type_, _ in publishers
        ],
    )
    roots = [
        r
        for r in run.records("hop")
        if r["message"] is not None
        and r["message"]["causation_id"] is None
        and r["from"] == r["message"]["headers"].get("source")
    ]
    orders = {r["message"]["correlation_id"] for r in roots if r["message"]["type"] == PLACE}
    saves = Counter(
        r["message"]["correlation_id"]
        for r in _real(run, None, "orders-db")
        if r["message"]["headers"].get("source") == "orders"
    )
    saved = set(saves)

    def reached(by: str) -> Counter[str]:
        return Counter(r["message"]["correlation_id"] for r in _real(run, EVENT, by))

    criteria = [
        Criterion(
            "The Web Shop still places the six orders, and nothing else starts a flow (no "
            "client sends OrderCreatedEvent itself)",
            len(roots) == ORDERS and len(orders) == ORDERS,
        ),
        Criterion(
            "The Order Service handles each PlaceOrderCommand once, and has the Orders "
            "database save each of the six orders exactly once",
            run.handled(PLACE, by="orders") == ORDERS
            and saved == orders
            and all(count == 1 for count in saves.values()),
        ),
        Criterion(
            "Publishing still fails half the time: every handler that publishes "
            "OrderCreatedEvent has a failure rate of at least 0.5, and no handler publishes "
            "it on failure",
            bool(publishers)
            and all(rate >= MIN_FAILURE_RATE for _, _, rate in publishers)
            and not _published_on_failure(topology),
        ),
    ]
    for node, name in SUBSCRIBERS:
        got = reached(node)
        criteria.append(
            Criterion(
                f"Every order the database saved reaches {name}: it handles OrderCreatedEvent "
                "once for each, although this check also makes the first publishing attempt "
                "fail",
                bool(publishers)
                and not run.problems
                and bool(saved)
                and set(got) == saved
                and all(n == 1 for n in got.values()),
            )
        )
    return criteria
