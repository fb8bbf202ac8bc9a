"""Lesson 4's exercise: ShipOrderCommand reaches exactly one of two Shipping Service instances,
through a queue they both consume, and the payment lane is as it was."""

from __future__ import annotations

from lessons.checking import Criterion, Run
from simulator.engine import Topology


def _queue_shared_by_shippers(run: Run) -> bool:
    """Some queue that ShipOrderCommand is sent to is consumed by at least two services that
    handle it: the instances compete for the command instead of each getting a copy."""
    queues = {r["to"] for r in run.records("hop", "ShipOrderCommand") if run.has(r["to"], "queue")}
    for queue in queues:
        index = run.topology.index[queue]
        shippers = [
            node
            for node in run.topology.nodes
            if node.kind == "service"
            and index in node.consumes
            and "ShipOrderCommand" in node.handlers
        ]
        if len(shippers) >= 2:
            return True
    return False


def check(topology: Topology) -> list[Criterion]:
    run = Run(topology)
    hops = run.records("hop", "ShipOrderCommand")
    return [
        Criterion(
            "Order A123 is shipped exactly once: ShipOrderCommand is handled one time",
            run.handled("ShipOrderCommand") == 1,
        ),
        Criterion(
            "ShipOrderCommand never goes through a topic",
            bool(hops) and not any(run.has(r["to"], "topic") for r in hops),
        ),
        Criterion(
            "Two Shipping Service instances consume the queue ShipOrderCommand is sent to, "
            "and both can handle it",
            _queue_shared_by_shippers(run),
        ),
        Criterion(
            "The payment lane is unchanged: the Order Service publishes OrderPaidEvent on "
            "order.events, and Warehouse, Accounting and Loyalty each handle it once",
            run.emits("orders", "RecordPaymentCommand")
            == [("OrderPaidEvent", "event", "order.events")]
            and all(
                run.handled("OrderPaidEvent", by=service) == 1
                for service in ("warehouse", "accounting", "loyalty")
            ),
        ),
    ]
