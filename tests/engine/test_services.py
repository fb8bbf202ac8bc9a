"""Services: concurrency, handling time, and messages they have no handler for."""

from __future__ import annotations

from typing import Any

from simulator.engine import Simulation, load_topology

Node = dict[str, Any]
Record = dict[str, Any]


def build(*nodes: Node) -> Simulation:
    return Simulation(
        load_topology({"schema": "msglab/topology@1", "name": "service test", "nodes": list(nodes)})
    )


def client(to: str, type_name: str, kind: str, times: int = 1) -> Node:
    return {
        "id": "shop",
        "kind": "client",
        "sends": [{"to": to, "message": {"type": type_name, "kind": kind}} for _ in range(times)],
    }


def records(sim: Simulation, event: str, **match: Any) -> list[Record]:
    return [
        r for r in sim.trace() if r["event"] == event and all(r[k] == v for k, v in match.items())
    ]


def test_a_service_handles_one_message_at_a_time_by_default() -> None:
    sim = build(
        client("orders", "PlaceOrder", "command", times=3),
        {"id": "orders", "kind": "queue"},
        {"id": "sales", "kind": "service", "consumes": ["orders"], "handles": {"PlaceOrder": {}}},
    )

    sim.run()

    assert [r["t"] for r in records(sim, "handled")] == [30, 50, 70]


def test_a_service_with_concurrency_handles_that_many_messages_at_once() -> None:
    sim = build(
        client("orders", "PlaceOrder", "command", times=3),
        {"id": "orders", "kind": "queue"},
        {
            "id": "sales",
            "kind": "service",
            "consumes": ["orders"],
            "concurrency": 2,
            "handles": {"PlaceOrder": {}},
        },
    )
    sim.run(until_ms=25)

    assert sim.state()["nodes"]["sales"]["busy"] == 2
    assert sim.state()["nodes"]["orders"]["depth"] == 1
    sim.run()
    assert [r["t"] for r in records(sim, "handled")] == [30, 30, 50]


def test_a_subscriber_with_concurrency_handles_that_many_copies_at_once() -> None:
    sim = build(
        client("news", "OrderPlaced", "event", times=3),
        {"id": "news", "kind": "topic"},
        {
            "id": "billing",
            "kind": "service",
            "subscribes": ["news"],
            "concurrency": 2,
            "handles": {"OrderPlaced": {}},
        },
    )
    sim.run(until_ms=25)

    assert sim.state()["nodes"]["billing"] == {
        "kind": "service",
        "status": "up",
        "busy": 2,
        "inbox": 1,
    }
    sim.run()
    assert [r["t"] for r in records(sim, "handled")] == [30, 30, 40]


def test_handling_takes_the_handlers_duration_or_else_the_services() -> None:
    sim = build(
        {
            "id": "shop",
            "kind": "client",
            "sends": [
                {"to": "orders", "at_ms": 0, "message": {"type": "PlaceOrder", "kind": "command"}},
                {
                    "to": "orders",
                    "at_ms": 100,
                    "message": {"type": "CancelOrder", "kind": "command"},
                },
            ],
        },
        {"id": "orders", "kind": "queue"},
        {
            "id": "sales",
            "kind": "service",
            "consumes": ["orders"],
            "duration_ms": 40,
            "handles": {"PlaceOrder": {}, "CancelOrder": {"duration_ms": 5}},
        },
    )

    sim.run()

    assert [(r["message"]["type"], r["t"]) for r in records(sim, "handled")] == [
        ("PlaceOrder", 60),
        ("CancelOrder", 125),
    ]


def test_a_message_a_service_has_no_handler_for_is_dropped_there() -> None:
    sim = build(
        client("orders", "RefundOrder", "command"),
        {"id": "orders", "kind": "queue"},
        {"id": "sales", "kind": "service", "consumes": ["orders"], "handles": {"PlaceOrder": {}}},
    )

    sim.run()

    [dropped] = records(sim, "dropped")
    assert (dropped["from"], dropped["to"], dropped["t"]) == ("orders", "sales", 20)
    assert "RefundOrder" in dropped["detail"]["reason"]
    assert records(sim, "handled") == []
    assert sim.state()["nodes"]["sales"]["busy"] == 0


def test_a_latency_on_a_node_is_the_travel_time_to_it() -> None:
    sim = build(
        client("orders", "PlaceOrder", "command"),
        {"id": "orders", "kind": "queue", "latency_ms": 1},
        {
            "id": "sales",
            "kind": "service",
            "consumes": ["orders"],
            "latency_ms": 100,
            "handles": {"PlaceOrder": {}},
        },
    )

    sim.run()

    assert [(r["event"], r["t"]) for r in sim.trace()] == [
        ("hop", 1),
        ("hop", 101),
        ("handled", 111),
    ]
