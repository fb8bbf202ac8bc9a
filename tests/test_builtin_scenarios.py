"""The built-in scenarios: each one loads cleanly, runs to the end and shows what it teaches."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from simulator.engine import Simulation, load_topology
from simulator.scenarios import list_scenarios, load_scenario

SCENARIO_DIR = Path(__file__).resolve().parent.parent / "simulator" / "scenarios"
BUILT_INS = {
    "order-flow",
    "command-vs-event",
    "request-reply",
    "competing-consumers",
    "temporal-coupling",
    "retry-dead-letter",
    "duplicates-idempotency",
    "saga-choreography",
    "direct-and-queued-commands",
    "event-listeners",
    "saga-orchestration",
    "cqrs-read-model",
    "outbox-lost-event",
    "transactional-outbox",
}

Record = dict[str, Any]


def run(slug: str) -> list[Record]:
    sim = Simulation(load_scenario(slug).topology)
    sim.run()
    assert sim.finished
    return sim.trace()


def of_type(trace: list[Record], event: str, message_type: str) -> list[Record]:
    return [
        r
        for r in trace
        if r["event"] == event and r["message"] is not None and r["message"]["type"] == message_type
    ]


def handled_by(trace: list[Record], message_type: str) -> Counter[str]:
    """How many times each service handled the type for real (skipped duplicates excluded)."""
    return Counter(
        r["to"]
        for r in of_type(trace, "handled", message_type)
        if not (r.get("detail") or {}).get("skipped")
    )


def test_every_built_in_scenario_is_listed() -> None:
    assert {s.slug for s in list_scenarios()} >= BUILT_INS


@pytest.mark.parametrize("slug", sorted(BUILT_INS))
def test_built_in_scenario_validates_without_warnings(slug: str) -> None:
    data = json.loads((SCENARIO_DIR / f"{slug}.json").read_text())
    topology = load_topology(data)
    assert data["schema"] == "msglab/topology@1"
    assert data["description"].strip()
    assert [(w.code, w.path) for w in topology.warnings] == []
    assert load_scenario(slug).name == data["name"]


@pytest.mark.parametrize("slug", sorted(BUILT_INS))
def test_built_in_scenario_runs_to_completion_without_halting(slug: str) -> None:
    sim = Simulation(load_scenario(slug).topology)
    sim.run()
    assert sim.finished
    assert not sim.halted
    trace = sim.trace()
    assert trace
    assert not [r for r in trace if r["event"] == "halted"]


@pytest.mark.parametrize("slug", sorted(BUILT_INS))
def test_built_in_scenario_runs_the_same_way_twice(slug: str) -> None:
    assert run(slug) == run(slug)


def test_order_flow_sends_the_command_through_the_order_queue() -> None:
    hops = of_type(run("order-flow"), "hop", "PlaceOrderCommand")
    assert ("gateway", "order.commands") in [(r["from"], r["to"]) for r in hops]
    assert ("order.commands", "orders") in [(r["from"], r["to"]) for r in hops]
    assert hops[0]["message"]["payload"] == {
        "orderId": "A123",
        "customerId": "C55",
        "totalAmount": 499.99,
    }


def test_order_flow_delivers_the_event_to_exactly_its_three_subscribers() -> None:
    trace = run("order-flow")
    deliveries = [
        r["to"] for r in of_type(trace, "hop", "OrderCreatedEvent") if r["from"] == "order.events"
    ]
    assert sorted(deliveries) == ["billing", "inventory", "notification"]
    assert handled_by(trace, "OrderCreatedEvent") == {
        "inventory": 1,
        "billing": 1,
        "notification": 1,
    }
    # a topic hands out copies of one message: the same id everywhere
    assert len({r["message"]["id"] for r in of_type(trace, "hop", "OrderCreatedEvent")}) == 1


def test_order_flow_lets_billing_ask_the_invoice_service_for_an_invoice() -> None:
    trace = run("order-flow")
    hops = of_type(trace, "hop", "CreateInvoiceCommand")
    assert [(r["from"], r["to"]) for r in hops] == [
        ("billing", "invoice.commands"),
        ("invoice.commands", "invoices"),
    ]
    assert handled_by(trace, "CreateInvoiceCommand") == {"invoices": 1}
    assert handled_by(trace, "InvoiceCreatedEvent") == {"notification": 1}
    first = of_type(trace, "hop", "PlaceOrderCommand")[0]["message"]
    last = of_type(trace, "handled", "InvoiceCreatedEvent")[0]["message"]
    assert last["correlation_id"] == first["correlation_id"]
    assert last["payload"]["orderId"] == "A123"


def test_command_vs_event_has_one_receiver_for_the_command_and_three_for_the_event() -> None:
    trace = run("command-vs-event")
    assert handled_by(trace, "ShipOrderCommand") == {"shipping": 1}
    assert handled_by(trace, "OrderPaidEvent") == {"warehouse": 1, "accounting": 1, "loyalty": 1}


def test_request_reply_answers_each_query_with_a_correlated_reply() -> None:
    trace = run("request-reply")
    for query, reply, service in [
        ("GetStockLevelQuery", "StockLevelReply", "inventory"),
        ("GetPriceQuery", "PriceReply", "pricing"),
    ]:
        asked = of_type(trace, "hop", query)
        assert [(r["from"], r["to"]) for r in asked] == [("storefront", service)]
        answered = of_type(trace, "hop", reply)
        assert [(r["from"], r["to"]) for r in answered] == [(service, "storefront")]
        request, response = asked[0]["message"], answered[0]["message"]
        assert response["kind"] == "reply"
        assert response["correlation_id"] == request["correlation_id"]
        assert response["causation_id"] == request["id"]


def test_competing_consumers_share_the_twelve_commands_among_all_three_workers() -> None:
    trace = run("competing-consumers")
    shares = handled_by(trace, "ResizeImageCommand")
    assert set(shares) == {"worker-1", "worker-2", "worker-3"}
    assert sum(shares.values()) == 12
    assert len({r["message"]["id"] for r in of_type(trace, "handled", "ResizeImageCommand")}) == 12


def test_competing_consumers_make_commands_wait_in_the_queue() -> None:
    waiting = of_type(run("competing-consumers"), "waiting", "ResizeImageCommand")
    assert waiting
    assert max(r["detail"]["depth"] for r in waiting) > 1


def test_retry_dead_letter_delivers_three_times_then_dead_letters() -> None:
    trace = run("retry-dead-letter")
    story = [
        (r["event"], r["from"], r["to"])
        for r in trace
        if r["message"] is not None and r["message"]["type"] == "ProcessPaymentCommand"
    ]
    deliveries = [s for s in story if s[0] == "hop" and s[2] == "payments"]
    assert len(deliveries) == 3
    assert [s[0] for s in story].count("failed") == 3
    assert [s[0] for s in story].count("retry") == 2
    events = [s[0] for s in story]
    assert events.count("dead_lettered") == 1
    dead = events.index("dead_lettered")
    assert dead > max(i for i, e in enumerate(events) if e == "failed")
    assert ("hop", "payment.commands", "payment.commands.dlq") in story[dead:]
    assert handled_by(trace, "ProcessPaymentCommand") == {"ops-alerts": 1}


def test_duplicates_are_skipped_by_the_idempotent_service_and_charged_twice_by_the_other() -> None:
    trace = run("duplicates-idempotency")
    skipped = [
        r
        for r in of_type(trace, "handled", "ChargeCustomerCommand")
        if r["to"] == "billing-safe" and (r.get("detail") or {}).get("skipped")
    ]
    assert skipped
    assert all(r["detail"]["duplicate"] for r in skipped)

    naive = Counter(
        r["message"]["id"]
        for r in of_type(trace, "handled", "ChargeCustomerCommand")
        if r["to"] == "billing-naive"
    )
    assert max(naive.values()) == 2

    # the consequence: the naive side charges (and mails a receipt) twice for one order
    receipts = Counter(
        (r["message"]["payload"]["chargedBy"], r["message"]["payload"]["orderId"])
        for r in of_type(trace, "handled", "CustomerChargedEvent")
    )
    assert max(n for (by, _), n in receipts.items() if by == "billing-naive") == 2
    assert {n for (by, _), n in receipts.items() if by == "billing-safe"} == {1}


def test_saga_choreography_compensates_a_failed_payment() -> None:
    trace = run("saga-choreography")
    assert [r["to"] for r in of_type(trace, "failed", "OrderPlacedEvent")] == ["payments"]
    assert handled_by(trace, "PaymentFailedEvent") == {"orders": 1}
    assert handled_by(trace, "OrderCancelledEvent") == {"payments": 1, "inventory": 1}
    assert handled_by(trace, "StockReleasedEvent") == {"orders": 1}

    def first(event: str, message_type: str) -> int:
        return of_type(trace, event, message_type)[0]["seq"]

    assert (
        first("failed", "OrderPlacedEvent")
        < first("handled", "PaymentFailedEvent")
        < first("handled", "OrderCancelledEvent")
        < first("handled", "StockReleasedEvent")
    )
    origin = of_type(trace, "hop", "PlaceOrderCommand")[0]["message"]["correlation_id"]
    for compensation in ("PaymentFailedEvent", "OrderCancelledEvent", "StockReleasedEvent"):
        message = of_type(trace, "handled", compensation)[0]["message"]
        assert message["correlation_id"] == origin
        assert message["payload"]["orderId"] == "A123"


def test_temporal_coupling_fails_direct_calls_but_queues_commands_while_services_are_down() -> None:
    sim = Simulation(load_scenario("temporal-coupling").topology)
    sim.apply({"action": "down", "node": "stock-direct"})
    sim.apply({"action": "down", "node": "stock-queued"})
    sim.run()
    trace = sim.trace()

    failed = of_type(trace, "failed", "ReserveStockCommand")
    assert len(failed) == 5  # every direct call, none of them delivered later
    assert {(r["from"], r["to"]) for r in failed} == {("checkout", "stock-direct")}
    waiting = of_type(trace, "waiting", "ReserveStockCommand")
    assert {(r["from"], r["to"]) for r in waiting} == {("checkout", "stock.commands")}
    assert waiting[-1]["detail"]["depth"] == 5
    assert not of_type(trace, "handled", "ReserveStockCommand")

    sim.apply({"action": "up", "node": "stock-queued"})
    sim.run()
    trace = sim.trace()
    assert handled_by(trace, "ReserveStockCommand") == {"stock-queued": 5}
    assert not sim.halted


def test_saga_orchestration_has_the_orchestrator_send_every_command_through_a_queue() -> None:
    trace = run("saga-orchestration")
    for command, queue, participant in [
        ("CreateOrderCommand", "order.commands", "orders"),
        ("ReserveStockCommand", "inventory.commands", "inventory"),
        ("ChargePaymentCommand", "payment.commands", "payments"),
        ("ReleaseStockCommand", "inventory.commands", "inventory"),
        ("CancelOrderCommand", "order.commands", "orders"),
    ]:
        hops = of_type(trace, "hop", command)
        assert [(r["from"], r["to"]) for r in hops] == [
            ("order-saga", queue),
            (queue, participant),
        ]
    # the participants never hear each other: every outcome event goes to the orchestrator
    events = [r for r in trace if r["event"] == "handled" and r["message"]["kind"] == "event"]
    assert events
    assert {r["to"] for r in events} == {"order-saga"}


def test_saga_orchestration_compensates_after_the_payment_fails() -> None:
    trace = run("saga-orchestration")
    failed = of_type(trace, "failed", "ChargePaymentCommand")
    assert [r["to"] for r in failed] == ["payments"]
    assert not of_type(trace, "retry", "ChargePaymentCommand")  # a declined card is not retried
    assert handled_by(trace, "PaymentFailedEvent") == {"order-saga": 1}
    assert handled_by(trace, "ReleaseStockCommand") == {"inventory": 1}
    assert handled_by(trace, "CancelOrderCommand") == {"orders": 1}
    assert handled_by(trace, "StockReleasedEvent") == {"order-saga": 1}
    assert handled_by(trace, "OrderCancelledEvent") == {"order-saga": 1}
    assert not of_type(trace, "hop", "PaymentChargedEvent")
    assert not of_type(trace, "hop", "ApproveOrderCommand")

    def first(event: str, message_type: str) -> int:
        return of_type(trace, event, message_type)[0]["seq"]

    assert (
        first("handled", "StockReservedEvent")
        < first("failed", "ChargePaymentCommand")
        < first("handled", "PaymentFailedEvent")
        < min(first("handled", "ReleaseStockCommand"), first("handled", "CancelOrderCommand"))
    )
    failure = of_type(trace, "handled", "PaymentFailedEvent")[0]["message"]
    for compensation in ("ReleaseStockCommand", "CancelOrderCommand"):
        assert of_type(trace, "hop", compensation)[0]["message"]["causation_id"] == failure["id"]
    origin = of_type(trace, "hop", "PlaceOrderCommand")[0]["message"]["correlation_id"]
    assert {r["message"]["correlation_id"] for r in trace if r["message"]} == {origin}
    assert of_type(trace, "handled", "OrderCancelledEvent")[0]["message"]["payload"] == {
        **of_type(trace, "hop", "PlaceOrderCommand")[0]["message"]["payload"],
        "status": "cancelled",
        "sku": "SKU-42",
        "quantity": 1,
        "reason": "card declined",
    }


def test_cqrs_read_model_answers_the_query_with_a_reply_correlated_to_it() -> None:
    trace = run("cqrs-read-model")
    asked = of_type(trace, "hop", "GetOrderSummaryQuery")
    assert [(r["from"], r["to"]) for r in asked] == [("customer", "order-summaries")]
    answered = of_type(trace, "hop", "OrderSummaryReply")
    assert [(r["from"], r["to"]) for r in answered] == [("order-summaries", "customer")]
    query, reply = asked[0]["message"], answered[0]["message"]
    assert reply["kind"] == "reply"
    assert reply["correlation_id"] == query["correlation_id"]
    assert reply["causation_id"] == query["id"]
    assert reply["payload"]["orderId"] == "A123"
    assert reply["payload"]["status"] == "placed"
    # the page asks once the projector has updated the read model, and never asks the write side
    assert handled_by(trace, "UpdateOrderSummaryCommand") == {"order-summaries": 1}
    updated = of_type(trace, "handled", "UpdateOrderSummaryCommand")[0]
    assert asked[0]["t"] > updated["t"]
    assert not [
        r for r in trace if r["event"] == "hop" and r["to"] == "orders" and r["from"] == "customer"
    ]


def test_cqrs_thin_event_subscriber_queries_back_while_fat_event_subscriber_does_not() -> None:
    trace = run("cqrs-read-model")
    thin = of_type(trace, "handled", "OrderPlacedNotificationEvent")
    fat = of_type(trace, "handled", "OrderPlacedEvent")
    assert [r["to"] for r in thin] == ["email"]
    assert [r["to"] for r in fat] == ["order-projector"]
    assert set(thin[0]["message"]["payload"]) == {"orderId", "cartId"}
    assert {"customerId", "status", "itemCount", "totalAmount"} <= set(fat[0]["message"]["payload"])

    # event notification: the Email Service has to ask the write side, and waits for the answer
    asked = of_type(trace, "hop", "GetOrderDetailsQuery")
    assert [(r["from"], r["to"]) for r in asked] == [("email", "orders")]
    assert asked[0]["message"]["causation_id"] == thin[0]["message"]["id"]
    answered = of_type(trace, "handled", "OrderDetailsReply")
    assert [(r["from"], r["to"]) for r in answered] == [("orders", "email")]
    assert answered[0]["detail"] == {"reply": True}
    assert answered[0]["message"]["causation_id"] == asked[0]["message"]["id"]
    assert answered[0]["message"]["payload"]["totalAmount"] == 499.99

    # event-carried state transfer: the projector has all it needs and asks nobody
    from_projector = [r for r in trace if r["event"] == "hop" and r["from"] == "order-projector"]
    assert [r["message"]["type"] for r in from_projector] == ["UpdateOrderSummaryCommand"]
    assert not [
        r for r in trace if r["to"] == "order-projector" and r["message"]["kind"] == "reply"
    ]


def saved_and_published(trace: list[Record], publisher: str) -> tuple[set[str], set[str]]:
    """Correlation ids of the orders the database saved, and of those whose event was published."""
    saved = {
        r["message"]["correlation_id"]
        for r in trace
        if r["event"] == "handled" and r["to"] == "orders-db"
    }
    published = {
        r["message"]["correlation_id"]
        for r in of_type(trace, "hop", "OrderCreatedEvent")
        if (r["from"], r["to"]) == (publisher, "order.events")
    }
    return saved, published


def test_outbox_lost_event_saves_six_orders_but_publishes_only_four_events() -> None:
    trace = run("outbox-lost-event")
    saved, published = saved_and_published(trace, "orders")
    assert len(saved) == 6
    assert len(published) == 4
    lost = saved - published
    assert lost == {"m12", "m16"}
    assert published < saved

    # the publishing step failed for exactly the lost orders, and nothing tried again
    failed = of_type(trace, "failed", "OrderRowSaved")
    assert {(r["from"], r["to"]) for r in failed} == {("orders-db", "orders")}
    assert {r["message"]["correlation_id"] for r in failed} == lost
    assert sorted(r["message"]["payload"]["orderId"] for r in failed) == ["A104", "A105"]
    assert not [r for r in trace if r["event"] == "retry"]
    assert handled_by(trace, "SaveOrderCommand") == {"orders-db": 6}

    # the subscribers hear about fewer orders than the database holds
    for subscriber in ("inventory", "email"):
        heard = {
            r["message"]["correlation_id"]
            for r in of_type(trace, "handled", "OrderCreatedEvent")
            if r["to"] == subscriber
        }
        assert heard == published


def test_transactional_outbox_delivers_every_saved_order_to_every_subscriber_despite_failures() -> (
    None
):
    trace = run("transactional-outbox")
    saved, published = saved_and_published(trace, "outbox-relay")
    assert len(saved) == 6
    assert published == saved

    # the relay failed to publish as often as the lost-event scenario, and the outbox retried
    assert of_type(trace, "failed", "OutboxRow")
    assert {(r["from"], r["to"]) for r in of_type(trace, "retry", "OutboxRow")} == {
        ("outbox-relay", "outbox")
    }
    assert not [r for r in trace if r["event"] in ("dropped", "dead_lettered")]
    relay = load_scenario("transactional-outbox").topology.node("outbox-relay")
    naive = load_scenario("outbox-lost-event").topology.node("orders")
    assert relay.handlers["OutboxRow"].failure_rate == naive.handlers["OrderRowSaved"].failure_rate

    # the Order Service only talks to the database: one call saves the order and its outbox row
    assert {r["to"] for r in trace if r["event"] == "hop" and r["from"] == "orders"} == {
        "orders-db"
    }
    assert handled_by(trace, "SaveOrderWithOutboxCommand") == {"orders-db": 6}
    assert handled_by(trace, "OutboxRow") == {"outbox-relay": 6}

    for subscriber in ("inventory", "email"):
        heard = Counter(
            r["message"]["correlation_id"]
            for r in of_type(trace, "handled", "OrderCreatedEvent")
            if r["to"] == subscriber and not (r.get("detail") or {}).get("skipped")
        )
        assert heard == Counter(saved)
    order_ids = {
        r["message"]["payload"]["orderId"] for r in of_type(trace, "handled", "OrderCreatedEvent")
    }
    assert order_ids == {"A101", "A102", "A103", "A104", "A105", "A106"}
