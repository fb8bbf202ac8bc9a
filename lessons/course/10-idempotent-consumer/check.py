"""Lesson 10's exercise: the queue still delivers a duplicate, and Billing charges each order
once all the same."""

from __future__ import annotations

from lessons.checking import Criterion, Run
from simulator.engine import Topology

CHARGE = "ChargeCustomerCommand"


def _detail(record: dict, key: str) -> bool:
    return bool((record.get("detail") or {}).get(key))


def check(topology: Topology) -> list[Criterion]:
    run = Run(topology)
    sent = run.records("hop", CHARGE, frm="checkout", to="charges", kind="command")
    copies = [
        r
        for r in run.records("hop", CHARGE, frm="charges", to="billing")
        if _detail(r, "duplicate")
    ]
    handled = run.records("handled", CHARGE, to="billing")
    charged = [r for r in handled if not _detail(r, "skipped")]
    return [
        Criterion(
            "Checkout still sends four ChargeCustomerCommand commands into the charges queue",
            len(sent) == 4,
        ),
        Criterion(
            "The charges queue still delivers at least one command twice (at-least-once "
            "delivery is not switched off)",
            len(copies) >= 1,
        ),
        Criterion(
            "The Billing Service charges each order exactly once: four charges, four different "
            "messages",
            len(charged) == 4 and len({r["message"]["id"] for r in charged}) == 4,
        ),
        Criterion(
            "Billing acknowledges every repeated copy and skips it, without charging again",
            len(handled) - len(charged) == len(copies),
        ),
        Criterion(
            "Billing still announces each charge with CustomerChargedEvent on charge.events, and "
            "the Receipt Mailer sends four receipts",
            run.emits("billing", CHARGE) == [("CustomerChargedEvent", "event", "charge.events")]
            and run.handled("CustomerChargedEvent", by="receipts") == 4,
        ),
    ]
