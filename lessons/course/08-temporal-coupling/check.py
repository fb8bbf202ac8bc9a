"""Lesson 8's exercise: both orders are charged although Billing is down until 300 ms."""

from __future__ import annotations

from lessons.checking import Criterion, Fault, Run
from simulator.engine import Topology

DOWN_UNTIL = 300  # ms: Billing is down from the start until then
CHARGE = "ChargeCustomerCommand"


def check(topology: Topology) -> list[Criterion]:
    run = Run(
        topology,
        faults=[
            Fault(0, {"action": "down", "node": "billing"}),
            Fault(DOWN_UNTIL, {"action": "up", "node": "billing"}),
        ],
    )
    emits = run.emits("orders", "PlaceOrderCommand") or []
    charges = [(kind, to) for type_, kind, to in emits if type_ == CHARGE]
    delivered = run.records("hop", CHARGE, to="billing")
    charged = [
        r
        for r in run.records("handled", CHARGE, to="billing")
        if not (r.get("detail") or {}).get("skipped")
    ]
    return [
        Criterion(
            "The Order Service still handles both PlaceOrderCommand messages",
            run.handled("PlaceOrderCommand", by="orders") == 2,
        ),
        Criterion(
            "The Order Service still asks for each charge with one ChargeCustomerCommand, a "
            "command",
            len(charges) == 1 and charges[0][0] == "command",
        ),
        Criterion(
            "ChargeCustomerCommand goes into a queue, and Billing takes it from there rather "
            "than as a direct call",
            len(charges) == 1
            and run.has(charges[0][1], "queue")
            and bool(delivered)
            and all(r["from"] == charges[0][1] for r in delivered),
        ),
        Criterion(
            "While Billing is down (0 to 300 ms, applied by this check), no "
            "ChargeCustomerCommand fails or is dropped",
            not run.problems
            and run.count("failed", CHARGE) == 0
            and run.count("dropped", CHARGE) == 0,
        ),
        Criterion(
            "Billing charges both orders, each once, after it comes back up",
            len(charged) == 2
            and len({r["message"]["correlation_id"] for r in charged}) == 2
            and all(r["t"] >= DOWN_UNTIL for r in charged),
        ),
    ]
