"""Lints: teaching hints that come back as warnings on a topology that still loads and runs."""

from __future__ import annotations

from typing import Any

import pytest

from simulator.engine import Lint, Simulation, Topology, load_topology

Node = dict[str, Any]


def topology(*nodes: Node) -> Topology:
    return load_topology({"schema": "msglab/topology@1", "name": "lint test", "nodes": list(nodes)})


def sender(to: str, type_name: str, kind: str) -> Node:
    return {
        "id": "shop",
        "kind": "client",
        "sends": [{"to": to, "message": {"type": type_name, "kind": kind}}],
    }


def service(node_id: str, handles: dict[str, Any], **fields: Any) -> Node:
    return {"id": node_id, "kind": "service", "handles": handles, **fields}


def codes(t: Topology) -> list[str]:
    return [w.code for w in t.warnings]


def only(t: Topology, code: str) -> Lint:
    [lint] = [w for w in t.warnings if w.code == code]
    return lint


def test_a_clean_topology_has_no_warnings() -> None:
    t = topology(
        sender("orders", "PlaceOrder", "command"),
        {"id": "orders", "kind": "queue"},
        service("sales", {"PlaceOrder": {}}, consumes=["orders"]),
    )

    assert t.warnings == ()


def test_a_command_published_to_a_topic_is_a_warning_not_an_error() -> None:
    t = topology(
        sender("news", "PlaceOrder", "command"),
        {"id": "news", "kind": "topic"},
        service("sales", {"PlaceOrder": {}}, subscribes=["news"]),
    )

    assert codes(t) == ["command-to-topic"]
    lint = only(t, "command-to-topic")
    assert lint.path == "nodes[0].sends[0]"
    assert "PlaceOrder" in lint.message and "news" in lint.message
    assert lint.to_dict() == {
        "path": lint.path,
        "code": "command-to-topic",
        "message": lint.message,
    }
    sim = Simulation(t)
    sim.run()
    assert [r["event"] for r in sim.trace()].count("handled") == 1  # it still runs


def test_a_command_named_in_the_past_tense_is_a_warning() -> None:
    t = topology(
        sender("orders", "OrderPlaced", "command"),
        {"id": "orders", "kind": "queue"},
        service("sales", {"OrderPlaced": {}}, consumes=["orders"]),
    )

    assert codes(t) == ["command-past-tense"]
    assert only(t, "command-past-tense").path == "nodes[0].sends[0]"


def test_an_event_named_as_an_imperative_is_a_warning() -> None:
    emit = {"type": "ShipOrder", "kind": "event", "to": "news"}
    t = topology(
        sender("orders", "PlaceOrder", "command"),
        {"id": "orders", "kind": "queue"},
        {"id": "news", "kind": "topic"},
        service("sales", {"PlaceOrder": {"emit": [emit]}}, consumes=["orders"]),
        service("shipping", {"ShipOrder": {}}, subscribes=["news"]),
    )

    assert codes(t) == ["event-imperative"]
    assert only(t, "event-imperative").path == "nodes[3].handles.PlaceOrder.emit[0]"


def test_an_event_sent_directly_to_a_service_is_a_warning() -> None:
    t = topology(sender("billing", "OrderPlaced", "event"), service("billing", {"OrderPlaced": {}}))

    assert codes(t) == ["event-to-service"]
    assert "billing" in only(t, "event-to-service").message


def test_a_queue_without_a_consumer_is_a_warning() -> None:
    t = topology(sender("orders", "PlaceOrder", "command"), {"id": "orders", "kind": "queue"})

    assert codes(t) == ["queue-without-consumer"]
    assert only(t, "queue-without-consumer").path == "nodes[1]"


def test_a_topic_without_a_subscriber_is_a_warning() -> None:
    t = topology(sender("news", "OrderPlaced", "event"), {"id": "news", "kind": "topic"})

    assert codes(t) == ["topic-without-subscriber"]
    assert only(t, "topic-without-subscriber").path == "nodes[1]"


def test_a_message_type_its_receiver_does_not_handle_is_a_warning() -> None:
    t = topology(
        sender("orders", "CancelOrder", "command"),
        {"id": "orders", "kind": "queue"},
        service("sales", {"PlaceOrder": {}}, consumes=["orders"]),
    )

    assert codes(t) == ["unhandled-type"]
    lint = only(t, "unhandled-type")
    assert lint.path == "nodes[0].sends[0]"
    assert "sales" in lint.message and "CancelOrder" in lint.message


def test_a_message_cycle_is_a_warning() -> None:
    t = topology(
        sender("left.inbox", "Ping", "command"),
        {"id": "left.inbox", "kind": "queue"},
        {"id": "right.inbox", "kind": "queue"},
        service(
            "left",
            {"Ping": {"emit": [{"type": "Pong", "kind": "command", "to": "right.inbox"}]}},
            consumes=["left.inbox"],
        ),
        service(
            "right",
            {"Pong": {"emit": [{"type": "Ping", "kind": "command", "to": "left.inbox"}]}},
            consumes=["right.inbox"],
        ),
    )

    assert codes(t) == ["message-cycle"]
    lint = only(t, "message-cycle")
    assert "Ping" in lint.message and "Pong" in lint.message
    assert lint.path.startswith("nodes[")


def test_several_lints_come_back_together() -> None:
    t = topology(
        sender("news", "OrderPlacedCommand", "command"),
        {"id": "news", "kind": "topic"},
        {"id": "unused", "kind": "queue"},
        service("billing", {"OrderPlaced": {}}, subscribes=["news"]),
    )

    assert sorted(codes(t)) == [
        "command-past-tense",
        "command-to-topic",
        "queue-without-consumer",
        "unhandled-type",
    ]


# The sentences below are golden: a lint's message is what the editor shows on the field.


def test_each_lint_says_what_is_wrong_and_why_in_one_sentence() -> None:
    shipped = {"type": "ShipOrder", "kind": "event", "to": "news"}
    t = topology(
        {
            "id": "shop",
            "kind": "client",
            "sends": [
                {"to": "news", "message": {"type": "PlaceOrder", "kind": "command"}},
                {"to": "orders", "message": {"type": "OrderPaid", "kind": "command"}},
                {"to": "sales", "message": {"type": "OrderPlaced", "kind": "event"}},
            ],
        },
        {"id": "news", "kind": "topic"},
        {"id": "orders", "kind": "queue"},
        {"id": "quiet", "kind": "topic"},
        service("sales", {"OrderPlaced": {"emit": [shipped]}}),
    )

    assert t.warnings == (
        Lint(
            "nodes[0].sends[0]",
            "command-to-topic",
            "PlaceOrder is a command published to topic 'news': a command has exactly one"
            " receiver, so send it to a queue or a service.",
        ),
        Lint(
            "nodes[0].sends[1]",
            "command-past-tense",
            "OrderPaid is a command named in the past tense: a command asks for something to"
            " happen (PlaceOrder); an event says it did (OrderPlaced).",
        ),
        Lint(
            "nodes[0].sends[2]",
            "event-to-service",
            "OrderPlaced is an event sent directly to 'sales': an event is for any number of"
            " listeners, so publish it to a topic.",
        ),
        Lint(
            "nodes[4].handles.OrderPlaced.emit[0]",
            "event-imperative",
            "ShipOrder is an event named as an order: an event states a fact in the past tense"
            " (InvoiceCreated); a command gives the order (CreateInvoice).",
        ),
        Lint(
            "nodes[1]",
            "topic-without-subscriber",
            "No service subscribes to topic 'news': what is published there reaches nobody.",
        ),
        Lint(
            "nodes[2]",
            "queue-without-consumer",
            "No service consumes queue 'orders': its messages wait forever.",
        ),
        Lint(
            "nodes[3]",
            "topic-without-subscriber",
            "No service subscribes to topic 'quiet': what is published there reaches nobody.",
        ),
    )


def test_a_message_sent_straight_to_a_service_without_its_handler_is_reported_once() -> None:
    t = topology(
        {
            "id": "shop",
            "kind": "client",
            "sends": [
                {"to": "sales", "message": {"type": "CancelOrder", "kind": "command"}},
                {"to": "sales", "message": {"type": "CancelOrder", "kind": "command"}},
            ],
        },
        service("sales", {"PlaceOrder": {}}),
    )

    assert t.warnings == (
        Lint(
            "nodes[0].sends[0]",
            "unhandled-type",
            "'sales' receives CancelOrder via 'sales' but has no handler for it: the message will"
            " be dropped.",
        ),
    )


def test_a_compensating_emit_is_linted_at_its_own_path() -> None:
    on_failure = {"emit": [{"type": "RefundCustomer", "kind": "command", "to": "news"}]}
    t = topology(
        sender("sales", "PlaceOrder", "command"),
        {"id": "news", "kind": "topic"},
        service("sales", {"PlaceOrder": {"on_failure": on_failure}}),
        service("refunds", {"RefundCustomer": {}}, subscribes=["news"]),
    )

    assert [(w.path, w.code) for w in t.warnings] == [
        ("nodes[2].handles.PlaceOrder.on_failure.emit[0]", "command-to-topic")
    ]


def naming_lints(type_name: str, kind: str) -> list[str]:
    """The naming lints of a message of that type and kind, sent to a fitting receiver."""
    to = "orders" if kind == "command" else "news"
    t = topology(
        sender(to, type_name, kind),
        {"id": "orders", "kind": "queue"},
        {"id": "news", "kind": "topic"},
        service("anyone", {type_name: {}}, consumes=["orders"], subscribes=["news"]),
    )
    return [w.code for w in t.warnings if w.code in ("command-past-tense", "event-imperative")]


@pytest.mark.parametrize(
    ("type_name", "kind", "lints"),
    [
        pytest.param("OrderPaid", "command", ["command-past-tense"], id="an irregular past"),
        pytest.param("CardUsed", "command", ["command-past-tense"], id="a short -ed past"),
        pytest.param("PlacedOrderCommand", "command", ["command-past-tense"], id="past first"),
        pytest.param("BlinkLed", "command", [], id="a three-letter word in -ed is not a past"),
        pytest.param("ProceedToCheckout", "command", [], id="a verb in -eed is not a past"),
        pytest.param("EmbedVideo", "command", [], id="a verb in -ed is not a past"),
        pytest.param("ShipOrder", "event", ["event-imperative"], id="an order as an event"),
        pytest.param("shop.ShipOrder", "event", ["event-imperative"], id="in a namespace"),
        pytest.param("ShipOrderEvent", "event", ["event-imperative"], id="with a suffix"),
        pytest.param("ProcessPaymentCompleted", "event", [], id="a verb first, a past last"),
        pytest.param("StockLevel", "event", [], id="a noun"),
    ],
)
def test_message_names_are_read_word_by_word(type_name: str, kind: str, lints: list[str]) -> None:
    assert naming_lints(type_name, kind) == lints
