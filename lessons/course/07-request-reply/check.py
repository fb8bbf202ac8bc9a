"""Lesson 7's exercise: the Shipping Service answers its query with a reply, and asking it
changes nothing."""

from __future__ import annotations

from lessons.checking import Criterion, Run
from simulator.engine import Topology

QUERY = "GetDeliveryEstimateQuery"


def _answered(run: Run, query: str, reply: str) -> bool:
    """The storefront receives a ``reply`` of kind reply caused by one of its ``query``s."""
    asked = {r["message"]["id"] for r in run.records("hop", query, frm="storefront", kind="query")}
    return any(
        r["message"]["causation_id"] in asked
        for r in run.records("hop", reply, to="storefront", kind="reply")
    )


def check(topology: Topology) -> list[Criterion]:
    run = Run(topology)
    asked = run.records("hop", QUERY, frm="storefront", to="shipping", kind="query")
    return [
        Criterion(
            "The Web Storefront still asks the Shipping Service GetDeliveryEstimateQuery, a "
            "query, directly",
            len(asked) == 1,
        ),
        Criterion(
            "The storefront receives a DeliveryEstimateReply whose causation id is its "
            "GetDeliveryEstimateQuery",
            _answered(run, QUERY, "DeliveryEstimateReply"),
        ),
        Criterion(
            "Asking changes nothing: the Shipping Service handles the query and sends no "
            "message other than its reply (no ReserveDeliverySlotCommand)",
            run.handled(QUERY, by="shipping") == 1
            and run.emits("shipping", QUERY) == []
            and run.count("hop", "ReserveDeliverySlotCommand") == 0,
        ),
        Criterion(
            "The stock level and the price are still answered (StockLevelReply and PriceReply)",
            _answered(run, "GetStockLevelQuery", "StockLevelReply")
            and _answered(run, "GetPriceQuery", "PriceReply"),
        ),
    ]
