"""JSON: every record, every state and the topology schema are plain JSON."""

from __future__ import annotations

import json
from typing import Any

from simulator.engine import EVENTS, SCHEMA_ID, Simulation, load_topology, topology_json_schema

RECORD_KEYS = {"seq", "t", "event", "from", "to", "message"}
ENVELOPE_KEYS = {
    "id",
    "type",
    "kind",
    "correlation_id",
    "causation_id",
    "payload",
    "headers",
    "sent_at",
}


def everything(max_messages: int = 10_000) -> dict[str, Any]:
    """A topology that produces every kind of record, including a halt once the budget is spent."""
    return {
        "schema": SCHEMA_ID,
        "name": "json test",
        "description": "Every record kind, and ms that are not whole.",
        "seed": 2,
        "latency_ms": 2.5,
        "max_messages": max_messages,
        "nodes": [
            {
                "id": "shop",
                "kind": "client",
                "position": {"x": 0, "y": 1.5},
                "sends": [
                    {
                        "to": "orders",
                        "count": 6,
                        "every_ms": 7.25,
                        "message": {
                            "type": "PlaceOrder",
                            "kind": "command",
                            "payload": {
                                "orderId": 1,
                                "lines": [{"sku": "tea", "qty": 2}],
                                "note": None,
                            },
                            "headers": {"tenant": "acme"},
                        },
                    },
                    {"to": "pricing", "at_ms": 3, "message": {"type": "GetPrice", "kind": "query"}},
                    {
                        "to": "pricing",
                        "at_ms": 90,
                        "message": {"type": "GetPrice", "kind": "query"},
                    },
                    {"to": "nobody", "at_ms": 4, "message": {"type": "NoteTaken", "kind": "event"}},
                ],
            },
            {
                "id": "orders",
                "kind": "queue",
                "duplicate_rate": 0.5,
                "max_deliveries": 2,
                "dead_letter": "orders.dlq",
            },
            {"id": "orders.dlq", "kind": "queue"},
            {"id": "news", "kind": "topic"},
            {"id": "nobody", "kind": "topic"},
            {
                "id": "sales",
                "kind": "service",
                "consumes": ["orders"],
                "failure_rate": 0.5,
                "duration_ms": 3.3,
                "idempotent": True,
                "handles": {
                    "PlaceOrder": {
                        "emit": [
                            {
                                "type": "OrderPlaced",
                                "kind": "event",
                                "to": "news",
                                "payload": {"ok": True},
                            }
                        ],
                        "on_failure": {
                            "emit": [{"type": "OrderFailed", "kind": "event", "to": "news"}]
                        },
                    }
                },
            },
            {
                "id": "billing",
                "kind": "service",
                "subscribes": ["news"],
                "handles": {"OrderPlaced": {}, "OrderFailed": {}},
            },
            {
                "id": "pricing",
                "kind": "service",
                "handles": {
                    "GetPrice": {"reply": {"type": "PriceQuoted", "payload": {"price": 2.5}}}
                },
            },
        ],
    }


def round_trips(value: Any) -> bool:
    return bool(json.loads(json.dumps(value, allow_nan=False)) == value)


def test_every_trace_record_and_every_state_round_trips_through_json() -> None:
    sim = Simulation(load_topology(everything()))
    sim.apply({"action": "down", "node": "billing"})
    states = [sim.state()]
    while not sim.finished:
        for record in sim.step():
            assert round_trips(record)
        if sim.steps == 30:
            sim.apply({"action": "up", "node": "billing"})
            sim.apply({"action": "down", "node": "pricing"})
        states.append(sim.state())

    for state in states:
        assert round_trips(state)
    assert any(s["in_flight"] for s in states)
    assert any(s["handling"] for s in states)
    trace = sim.trace()
    assert round_trips(trace)
    seen = {r["event"] for r in trace}
    assert seen == set(EVENTS) - {"halted"}, (
        f"this topology should show every kind of record, saw {seen}"
    )


def test_a_halted_run_and_its_state_are_json_too() -> None:
    sim = Simulation(load_topology(everything(max_messages=5)))
    sim.run()

    assert sim.halted is not None
    assert round_trips(sim.trace())
    assert round_trips(sim.state())
    assert sim.trace()[-1]["event"] == "halted"


def test_trace_records_have_exactly_the_documented_fields() -> None:
    sim = Simulation(load_topology(everything()))
    sim.run()

    for record in sim.trace():
        assert set(record) - {"detail"} == RECORD_KEYS
        assert record["event"] in EVENTS
        assert isinstance(record["seq"], int) and isinstance(record["t"], int | float)
        if "detail" in record:
            assert isinstance(record["detail"], dict) and record["detail"]
        if record["message"] is not None:
            assert set(record["message"]) == ENVELOPE_KEYS
            assert all(
                isinstance(k, str) and isinstance(v, str)
                for k, v in record["message"]["headers"].items()
            )
    assert [r["seq"] for r in sim.trace()] == list(range(1, sim.seq + 1))


def test_times_that_are_not_whole_milliseconds_are_kept_exactly() -> None:
    sim = Simulation(load_topology(everything()))
    sim.run()

    hop_times = [
        r["t"]
        for r in sim.trace()
        if r["event"] == "hop" and r["from"] == "shop" and r["to"] == "orders"
    ]
    assert hop_times == [2.5, 9.75, 17, 24.25, 31.5, 38.75]
    assert all(type(t) is int for t in hop_times if t == int(t))


def test_the_topology_json_schema_is_a_json_schema_document() -> None:
    schema = topology_json_schema()

    assert isinstance(schema, dict)
    assert schema["$schema"].startswith("https://json-schema.org/")
    assert {"schema", "name", "nodes"} <= set(schema["required"])
    assert schema["properties"]["schema"]["const"] == SCHEMA_ID
    assert round_trips(schema)


def test_a_valid_topology_has_no_problems_and_reloads_from_its_own_json() -> None:
    topology = load_topology(everything())

    assert topology.name == "json test"
    assert topology.seed == 2
    assert topology.to_dict()["schema"] == SCHEMA_ID
    assert round_trips(topology.to_dict())
    assert (
        load_topology(topology.to_dict()).to_dict() == topology.to_dict()
    )  # defaults filled in still load
