"""Where each message type can arrive: what the inspector offers breakpoints for."""

from __future__ import annotations

from simulator.engine.routes import arrivals
from simulator.scenarios import load_scenario


def test_a_type_arrives_where_it_is_sent_and_where_queues_and_topics_pass_it_on() -> None:
    found = arrivals(load_scenario("order-flow").topology)
    assert found["order.commands"] == ["PlaceOrderCommand"]
    assert found["orders"] == ["PlaceOrderCommand"]
    assert found["order.events"] == ["OrderCreatedEvent"]
    for subscriber in ("inventory", "billing", "notification"):
        assert "OrderCreatedEvent" in found[subscriber]
    assert "gateway" not in found  # nothing is sent to the client


def test_a_reply_arrives_back_at_the_node_that_asked() -> None:
    found = arrivals(load_scenario("request-reply").topology)
    assert set(found["storefront"]) == {"StockLevelReply", "PriceReply"}
    assert found["inventory"] == ["GetStockLevelQuery"]


def test_a_message_a_queue_gives_up_on_arrives_at_its_dead_letter_queue_and_its_readers() -> None:
    found = arrivals(load_scenario("retry-dead-letter").topology)
    assert found["payment.commands.dlq"] == ["ProcessPaymentCommand"]
    assert found["ops-alerts"] == ["ProcessPaymentCommand"]
