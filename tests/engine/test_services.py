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


def test_a_service_with_concurrency_that_comes_up_takes_that_many_waiting_copies_at_once() -> None:
    sim = build(
        client("news", "OrderPlaced", "event", times=5),
        {"id": "news", "kind": "topic"},
        {
            "id": "billing",
            "kind": "service",
            "subscribes": ["news"],
            "concurrency": 2,
            "handles": {"OrderPlaced": {}},
        },
    )
    sim.apply({"action": "down", "node": "billing"})
    sim.run(until_ms=100)
    assert sim.state()["nodes"]["billing"]["inbox"] == 5

    sim.apply({"action": "up", "node": "billing"})

    assert sim.state()["nodes"]["billing"] == {
        "kind": "service",
        "status": "up",
        "busy": 2,
        "inbox": 3,
    }
    sim.run()
    assert [r["t"] for r in records(sim, "handled")] == [110, 110, 120, 120, 130]


def test_an_emit_with_a_delay_arrives_that_much_later_than_the_hop_takes() -> None:
    sim = build(
        client("orders", "PlaceOrder", "command"),
        {"id": "orders", "kind": "queue"},
        {
            "id": "sales",
            "kind": "service",
            "consumes": ["orders"],
            "handles": {
                "PlaceOrder": {
                    "emit": [
                        {"type": "OrderPlaced", "kind": "event", "to": "news", "delay_ms": 25},
                        {"type": "OrderLogged", "kind": "event", "to": "news"},
                    ]
                }
            },
        },
        {"id": "news", "kind": "topic", "latency_ms": 5},
    )

    sim.run()

    # handled at 30; the hop to news takes 5 ms, and the delayed one 25 ms more
    assert [(r["message"]["type"], r["t"]) for r in records(sim, "hop", to="news")] == [
        ("OrderLogged", 35),
        ("OrderPlaced", 60),
    ]
    assert {r["message"]["sent_at"] for r in records(sim, "hop", to="news")} == {30}
