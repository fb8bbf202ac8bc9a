"""Lints: teaching hints that come back as warnings on a topology that still loads and runs."""

from __future__ import annotations

from typing import Any

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
