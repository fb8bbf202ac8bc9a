"""Determinism: the same topology, seed and actions always give the same trace."""

from __future__ import annotations

import json

from simulator.engine import Simulation, Topology, load_topology


def chancy(seed: int = 0) -> Topology:
    """Random choices everywhere: competing consumers, failures, duplicates."""
    return load_topology(
        {
            "schema": "msglab/topology@1",
            "name": "determinism test",
            "seed": seed,
            "nodes": [
                {
                    "id": "shop",
                    "kind": "client",
                    "sends": [
                        {
                            "to": "orders",
                            "count": 40,
                            "every_ms": 7,
                            "message": {
                                "type": "PlaceOrder",
                                "kind": "command",
                                "payload": {"n": 1},
                            },
                        }
                    ],
                },
                {
                    "id": "orders",
                    "kind": "queue",
                    "duplicate_rate": 0.5,
                    "max_deliveries": 3,
                    "dead_letter": "orders.dlq",
                },
                {"id": "orders.dlq", "kind": "queue"},
                {"id": "news", "kind": "topic"},
                {
                    "id": "a",
                    "kind": "service",
                    "consumes": ["orders"],
                    "failure_rate": 0.5,
                    "handles": {
                        "PlaceOrder": {
                            "emit": [{"type": "OrderPlaced", "kind": "event", "to": "news"}],
                            "on_failure": {
                                "emit": [{"type": "OrderFailed", "kind": "event", "to": "news"}]
                            },
                        }
                    },
                },
                {
                    "id": "b",
                    "kind": "service",
                    "consumes": ["orders"],
                    "failure_rate": 0.5,
                    "duration_ms": 13,
                    "handles": {"PlaceOrder": {}},
                },
                {
                    "id": "c",
                    "kind": "service",
                    "subscribes": ["news"],
                    "failure_rate": 0.5,
                    "handles": {"OrderPlaced": {}, "OrderFailed": {}},
                },
            ],
        }
    )


def trace_json(sim: Simulation) -> str:
    sim.run()
    return json.dumps(sim.trace(), sort_keys=True)


def with_actions(topology: Topology, seed: int | None = None) -> Simulation:
    sim = Simulation(topology, seed=seed)
    sim.run(until_ms=50)
    sim.apply({"action": "down", "node": "b"})
    sim.apply({"action": "fail_next", "node": "a"})
    sim.run(max_events=20)
    sim.apply(
        {
            "action": "inject",
            "from": "shop",
            "to": "news",
            "message": {"type": "OrderPlaced", "kind": "event"},
        }
    )
    sim.run(until_ms=200)
    sim.apply({"action": "up", "node": "b"})
    return sim


def test_the_same_topology_and_seed_give_an_identical_trace() -> None:
    first = trace_json(Simulation(chancy(seed=3)))
    again = trace_json(Simulation(chancy(seed=3)))

    assert first == again
    events = {r["event"] for r in json.loads(first)}
    assert {"failed", "retry", "handled", "waiting"} <= events  # the randomness was really used


def test_the_same_actions_at_the_same_moments_give_an_identical_trace() -> None:
    assert trace_json(with_actions(chancy(seed=3))) == trace_json(with_actions(chancy(seed=3)))


def test_one_topology_object_can_be_run_many_times_with_the_same_result() -> None:
    topology = chancy(seed=3)

    assert (
        trace_json(Simulation(topology))
        == trace_json(Simulation(topology))
        == trace_json(Simulation(chancy(seed=3)))
    )


def test_a_different_seed_gives_a_different_trace() -> None:
    assert trace_json(Simulation(chancy(seed=3))) != trace_json(Simulation(chancy(seed=4)))


def test_the_seed_given_to_the_simulation_overrides_the_topologys_seed() -> None:
    overridden = Simulation(chancy(seed=3), seed=4)

    assert overridden.seed == 4
    assert Simulation(chancy(seed=3)).seed == 3
    assert trace_json(overridden) == trace_json(Simulation(chancy(seed=4)))
    assert trace_json(with_actions(chancy(seed=3), seed=4)) == trace_json(
        with_actions(chancy(seed=4))
    )


def test_a_seed_of_zero_given_to_the_simulation_is_not_ignored() -> None:
    assert trace_json(Simulation(chancy(seed=3), seed=0)) == trace_json(Simulation(chancy(seed=0)))
