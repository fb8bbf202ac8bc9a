"""Lesson 9's exercise: the payment that always fails gets three deliveries, then goes to a
dead-letter queue where Ops Alerts picks it up; it is never dropped."""

from __future__ import annotations

from lessons.checking import Criterion, Run
from simulator.engine import Topology

PAYMENT = "ProcessPaymentCommand"


def check(topology: Topology) -> list[Criterion]:
    run = Run(topology)
    attempts = run.records("failed", PAYMENT, to="payments")
    dead = run.records("dead_lettered", PAYMENT, frm="payment.commands")
    dlqs = {r["to"] for r in dead}
    alerted = [r for r in run.records("handled", PAYMENT, to="ops-alerts") if r["from"] in dlqs]
    return [
        Criterion(
            "Checkout still sends ProcessPaymentCommand into payment.commands, and the Payment "
            "Service still takes it from there",
            run.count("hop", PAYMENT, frm="checkout", to="payment.commands") == 1
            and run.count("hop", PAYMENT, frm="payment.commands", to="payments") >= 1,
        ),
        Criterion(
            "The Payment Service still fails every attempt (its card processor is still down)",
            bool(attempts) and run.handled(PAYMENT, by="payments") == 0,
        ),
        Criterion(
            "payment.commands gives up after three deliveries, counting the first",
            len(attempts) == 3,
        ),
        Criterion(
            "The failed command is moved to a dead-letter queue instead of being dropped",
            len(dead) == 1
            and all(run.has(q, "queue") for q in dlqs)
            and run.count("dropped", PAYMENT) == 0,
        ),
        Criterion(
            "Ops Alerts receives the command from that dead-letter queue",
            len(alerted) == 1,
        ),
    ]
