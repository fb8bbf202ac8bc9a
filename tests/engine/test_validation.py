"""Validation: one TopologyError that lists every problem, each at its JSON path."""

from __future__ import annotations

from typing import Any

import pytest

from simulator.engine import Problem, Simulation, TopologyError, load_topology

Node = dict[str, Any]


def document(*nodes: Node, **top: Any) -> dict[str, Any]:
    return {"schema": "msglab/topology@1", "name": "validation test", **top, "nodes": list(nodes)}


def problems(data: Any) -> dict[str, str]:
    """path -> message of every problem found."""
    with pytest.raises(TopologyError) as caught:
        load_topology(data)
    error = caught.value
    assert all(isinstance(p, Problem) for p in error.problems)
    assert str(error).splitlines() == [
        f"{p.path}: {p.message}" if p.path else p.message for p in error.problems
    ]
    found = {p.path: p.message for p in error.problems}
    assert len(found) == len(error.problems), "one problem per path"
    return found


def shop(to: str = "orders", kind: str = "command") -> Node:
    return {
        "id": "shop",
        "kind": "client",
        "sends": [{"to": to, "message": {"type": "PlaceOrder", "kind": kind}}],
    }


def sales(**fields: Any) -> Node:
    return {"id": "sales", "kind": "service", "handles": {"PlaceOrder": {}}, **fields}


QUEUE: Node = {"id": "orders", "kind": "queue"}
CONSUME_QUEUES = "a service consumes queues (subscribe to topics)"
TOPIC: Node = {"id": "news", "kind": "topic"}


def test_a_valid_topology_loads_without_problems() -> None:
    topology = load_topology(document(shop(), QUEUE, sales(consumes=["orders"])))

    assert topology.name == "validation test"
    assert [n.id for n in topology.nodes] == ["shop", "orders", "sales"]
    assert topology.warnings == ()


def test_an_unknown_node_is_reported_at_its_json_path() -> None:
    data = document(shop(), QUEUE, TOPIC, sales(consumes=["order.cmds"]))

    with pytest.raises(TopologyError) as caught:
        load_topology(data)

    assert str(caught.value) == "nodes[3].consumes[0]: unknown node 'order.cmds'"
    assert caught.value.problems == [Problem("nodes[3].consumes[0]", "unknown node 'order.cmds'")]


def test_references_to_nodes_of_the_wrong_kind_are_reported() -> None:
    found = problems(
        document(
            shop(to="sales"),
            {"id": "orders", "kind": "queue", "dead_letter": "news"},
            TOPIC,
            sales(
                consumes=["news"],
                subscribes=["orders"],
                handles={
                    "PlaceOrder": {"emit": [{"type": "Hello", "kind": "event", "to": "shop"}]}
                },
            ),
            {**shop(to="shop"), "id": "bot"},
        )
    )

    # each message names the node, its kind, and the rule: the wording is the contract
    assert found == {
        "nodes[1].dead_letter": "'news' is a topic; a dead-letter target must be a queue",
        "nodes[3].consumes[0]": f"'news' is a topic; {CONSUME_QUEUES}",
        "nodes[3].subscribes[0]": "'orders' is a queue; a service subscribes to topics"
        " (consume queues)",
        "nodes[3].handles.PlaceOrder.emit[0].to": "'shop' is a client; emit to a queue, topic or"
        " service",
        "nodes[4].sends[0].to": "'shop' is a client; send to a queue, topic or service",
    }


def test_unknown_nodes_anywhere_are_reported() -> None:
    handles = {
        "PlaceOrder": {
            "emit": [{"type": "OrderPlaced", "kind": "event", "to": "nowhere"}],
            "on_failure": {"emit": [{"type": "OrderFailed", "kind": "event", "to": "limbo"}]},
        }
    }
    found = problems(
        document(
            shop(to="ghost"),
            {"id": "orders", "kind": "queue", "dead_letter": "orders.dlq"},
            sales(subscribes=["rumours"], handles=handles),
        )
    )

    assert found == {
        "nodes[0].sends[0].to": "unknown node 'ghost'",
        "nodes[1].dead_letter": "unknown node 'orders.dlq'",
        "nodes[2].subscribes[0]": "unknown node 'rumours'",
        "nodes[2].handles.PlaceOrder.emit[0].to": "unknown node 'nowhere'",
        "nodes[2].handles.PlaceOrder.on_failure.emit[0].to": "unknown node 'limbo'",
    }


def test_a_queue_cannot_be_its_own_dead_letter_queue() -> None:
    found = problems(document({"id": "orders", "kind": "queue", "dead_letter": "orders"}))

    assert found == {"nodes[0].dead_letter": "a queue cannot be its own dead-letter queue"}


def test_duplicate_ids_are_reported_with_the_first_use() -> None:
    found = problems(document(shop(), QUEUE, {"id": "orders", "kind": "topic"}))

    assert found == {"nodes[2].id": "duplicate id 'orders', first used at nodes[1]"}


def test_unknown_fields_are_errors_at_every_level() -> None:
    send = {
        "to": "orders",
        "message": {"type": "PlaceOrder", "kind": "command", "priority": 1},
        "when": 3,
    }
    found = problems(
        document(
            {"id": "shop", "kind": "client", "sends": [send]},
            {"id": "orders", "kind": "queue", "colour": "red"},
            sales(consumes=["orders"], handles={"PlaceOrder": {"retries": 3}}),
            owner="ops",
        )
    )

    assert found == {
        "owner": "unknown field 'owner'",
        "nodes[0].sends[0].when": "unknown field 'when'",
        "nodes[0].sends[0].message.priority": "unknown field 'priority'",
        "nodes[1].colour": "unknown field 'colour'",
        "nodes[2].handles.PlaceOrder.retries": "unknown field 'retries'",
    }


def test_a_bad_message_kind_is_reported() -> None:
    emit = {"type": "OrderPlaced", "kind": "announcement", "to": "news"}
    found = problems(
        document(
            shop(kind="order"),
            QUEUE,
            TOPIC,
            sales(consumes=["orders"], handles={"PlaceOrder": {"emit": [emit]}}),
        )
    )

    assert set(found) == {
        "nodes[0].sends[0].message.kind",
        "nodes[3].handles.PlaceOrder.emit[0].kind",
    }
    assert "command" in found["nodes[0].sends[0].message.kind"]


def test_a_missing_or_wrong_schema_is_reported() -> None:
    missing = document(shop(), QUEUE, sales(consumes=["orders"]))
    del missing["schema"]

    assert problems(missing) == {"schema": "required"}
    assert set(problems({**missing, "schema": "msglab/topology@2"})) == {"schema"}


def test_missing_required_fields_and_bad_values_are_reported() -> None:
    found = problems(
        {
            "schema": "msglab/topology@1",
            "nodes": [
                {"kind": "queue"},
                {"id": "9lives", "kind": "topic"},
                {"id": "q2", "kind": "queue", "max_deliveries": 0, "duplicate_rate": 1.5},
                {"id": "s", "kind": "service", "failure_rate": -0.1, "concurrency": 0},
                {
                    "id": "c",
                    "kind": "client",
                    "sends": [
                        {"to": "q2", "count": 0, "message": {"type": "1st", "kind": "event"}}
                    ],
                },
            ],
        }
    )

    assert found["name"] == "required"
    assert found["nodes[0].id"] == "required"
    assert set(found) >= {
        "nodes[1].id",
        "nodes[2].max_deliveries",
        "nodes[2].duplicate_rate",
        "nodes[3].failure_rate",
        "nodes[3].concurrency",
        "nodes[4].sends[0].count",
        "nodes[4].sends[0].message.type",
    }


def test_an_unknown_or_missing_node_kind_is_reported_at_that_kind() -> None:
    found = problems(document(shop(), QUEUE, {"id": "gizmo", "kind": "robot"}, {"id": "thing"}))

    assert found == {
        "nodes[2].kind": "must be one of client, service, queue, topic",
        "nodes[3].kind": "must be one of client, service, queue, topic",
    }


def test_a_part_of_the_wrong_type_is_reported_at_that_part() -> None:
    found = problems(document({**shop(), "position": 5}, QUEUE))

    assert found == {
        "nodes[0].position": "Input should be a valid dictionary or instance of Position"
    }


def test_a_field_named_like_a_node_kind_keeps_its_place_in_the_path() -> None:
    client = shop()
    client["sends"][0]["message"]["headers"] = {"topic": "x" * 300}

    found = problems(document(client, QUEUE))

    assert found == {
        "nodes[0].sends[0].message.headers.topic": "String should have at most 256 characters"
    }


def test_a_node_without_a_usable_id_does_not_hide_the_nodes_after_it() -> None:
    found = problems(
        document(
            {"kind": "queue"},
            {"id": 7, "kind": "queue"},
            sales(consumes=["news"]),
            TOPIC,
        )
    )

    assert found == {
        "nodes[0].id": "required",
        "nodes[1].id": "Input should be a valid string",
        "nodes[2].consumes[0]": f"'news' is a topic; {CONSUME_QUEUES}",
    }


def test_a_handler_that_is_not_an_object_does_not_hide_the_handlers_after_it() -> None:
    emit = {"type": "OrderPlaced", "kind": "event", "to": "nowhere"}
    found = problems(document(sales(handles={"CancelOrder": 5, "PlaceOrder": {"emit": [emit]}})))

    assert found == {
        "nodes[0].handles.CancelOrder": "Input should be a valid dictionary or instance of Handler",
        "nodes[0].handles.PlaceOrder.emit[0].to": "unknown node 'nowhere'",
    }


def test_shape_and_reference_problems_are_reported_together() -> None:
    found = problems(
        document(
            shop(to="ghost", kind="order"),
            {"id": "orders", "kind": "queue", "colour": "red"},
            sales(consumes=["news"]),
            TOPIC,
            {"id": "orders", "kind": "queue"},
            name="",
        )
    )

    assert set(found) == {
        "name",
        "nodes[0].sends[0].message.kind",
        "nodes[1].colour",
        "nodes[0].sends[0].to",
        "nodes[2].consumes[0]",
        "nodes[4].id",
    }


def test_a_document_that_is_not_an_object_is_one_problem() -> None:
    with pytest.raises(TopologyError) as caught:
        load_topology(["not", "a", "topology"])

    assert len(caught.value.problems) == 1


def test_a_document_that_is_not_an_object_is_refused_in_plain_words() -> None:
    assert problems(["not", "a", "topology"]) == {"": "a topology must be a JSON object"}


def test_bad_names_are_explained_in_words_not_regular_expressions() -> None:
    found = problems(
        document(
            {"id": "9lives", "kind": "queue"},
            {"id": "worker", "kind": "service", "handles": {"Place Order": {}}},
        )
    )
    assert (
        found["nodes[0].id"] == "an id starts with a letter, then letters, digits, '.', '_' or '-'"
    )
    assert found["nodes[1].handles['Place Order']"].startswith(
        "a message type starts with a letter"
    )


def test_numbers_must_be_finite() -> None:
    found = problems(document({"id": "q", "kind": "queue"}, latency_ms=float("nan")))
    assert found == {"latency_ms": "Input should be a finite number"}


def test_a_repeated_send_without_an_interval_sends_every_copy_at_once() -> None:
    client = shop()
    client["sends"][0]["count"] = 3
    sim = Simulation(load_topology(document(client, QUEUE, sales(consumes=["orders"]))))

    sim.run()

    sent = [r["t"] for r in sim.trace() if r["event"] == "hop" and r["from"] == "shop"]
    assert sent == [10, 10, 10]
