"""Running: up to a moment on the clock, or for a number of events."""

from __future__ import annotations

from typing import Any

from simulator.engine import Simulation, load_topology


def ticking(count: int = 10, every_ms: float = 100, at_ms: float = 0) -> Simulation:
    """One order every ``every_ms``: a hop into the queue at at_ms+10, handled 20 ms later."""
    return Simulation(
        load_topology(
            {
                "schema": "msglab/topology@1",
                "name": "run test",
                "nodes": [
                    {
                        "id": "shop",
                        "kind": "client",
                        "sends": [
                            {
                                "to": "orders",
                                "at_ms": at_ms,
                                "count": count,
                                "every_ms": every_ms,
                                "message": {"type": "PlaceOrder", "kind": "command"},
                            }
                        ],
                    },
                    {"id": "orders", "kind": "queue"},
                    {
                        "id": "sales",
                        "kind": "service",
                        "consumes": ["orders"],
                        "handles": {"PlaceOrder": {}},
                    },
                ],
            }
        )
    )


def times(records: list[dict[str, Any]]) -> list[Any]:
    return [r["t"] for r in records]


def test_run_until_a_time_stops_at_that_boundary_and_moves_the_clock_there() -> None:
    sim = ticking()

    produced = sim.run(until_ms=150)

    assert times(sim.trace()) == [10, 20, 30, 110, 120, 130]
    assert produced == 6
    assert sim.now_ms == 150
    assert sim.state()["t"] == 150
    assert not sim.finished
    assert times(sim.step()) == [210]


def test_run_until_a_time_includes_events_exactly_at_that_time() -> None:
    sim = ticking()

    sim.run(until_ms=120)

    assert times(sim.trace()) == [10, 20, 30, 110, 120]
    assert sim.now_ms == 120


def test_run_until_a_time_with_nothing_to_do_only_moves_the_clock() -> None:
    sim = ticking(at_ms=5000)

    assert sim.run(until_ms=1000) == 0
    assert sim.trace() == []
    assert sim.now_ms == 1000
    assert sim.run(until_ms=500) == 0
    assert sim.now_ms == 1000  # the clock never goes backwards


def test_run_until_a_time_can_be_called_in_slices_with_the_same_result() -> None:
    sliced = ticking()
    for until in range(0, 1200, 75):
        sliced.run(until_ms=until)
    whole = ticking()
    whole.run()

    assert sliced.finished
    assert sliced.trace() == whole.trace()


def test_run_with_max_events_does_that_many_steps() -> None:
    sim = ticking()
    stepped = ticking()
    for _ in range(7):
        stepped.step()

    produced = sim.run(max_events=7)

    assert sim.steps == 7
    assert produced == sim.seq
    assert sim.trace() == stepped.trace()
    assert sim.state() == stepped.state()


def test_run_until_a_time_that_max_events_stops_first_leaves_the_clock_at_the_last_event() -> None:
    sim = ticking()  # a hop into the queue at 10, to sales at 20, handled at 30

    assert sim.run(until_ms=20, max_events=1) == 1

    assert sim.now_ms == 10  # the delivery at 20 is still to come: the clock cannot reach it
    sim.run(until_ms=50)
    assert sim.now_ms == 50
    assert times(sim.trace()) == [10, 20, 30]


def test_run_until_a_time_leaves_what_happens_a_microsecond_later() -> None:
    sim = Simulation(
        load_topology(
            {
                "schema": "msglab/topology@1",
                "name": "run test",
                "nodes": [
                    {
                        "id": "shop",
                        "kind": "client",
                        "sends": [
                            {"to": "sales", "message": {"type": "PlaceOrder", "kind": "command"}}
                        ],
                    },
                    {
                        "id": "sales",
                        "kind": "service",
                        "duration_ms": 0.001,
                        "handles": {"PlaceOrder": {}},
                    },
                ],
            }
        )
    )

    sim.run(until_ms=10)

    assert [(r["event"], r["t"]) for r in sim.trace()] == [("hop", 10)]
    assert sim.now_ms == 10
    sim.run()
    assert [(r["event"], r["t"]) for r in sim.trace()] == [("hop", 10), ("handled", 10.001)]


def test_run_with_max_events_stops_early_when_the_run_is_over() -> None:
    sim = ticking(count=1)

    sim.run(max_events=1000)

    assert sim.finished
    assert sim.steps == 3


def test_run_returns_the_number_of_records_it_wrote() -> None:
    sim = ticking()

    first = sim.run(until_ms=250)
    second = sim.run()

    assert first + second == len(sim.trace()) == sim.seq
    assert sim.run() == 0


def test_the_trace_can_be_read_in_slices_by_seq() -> None:
    sim = ticking()
    sim.run()
    whole = sim.trace()

    assert sim.trace(5, 8) == whole[4:7]
    assert [r["seq"] for r in sim.trace(5, 8)] == [5, 6, 7]
    assert sim.trace(len(whole)) == whole[-1:]
    assert sim.trace(len(whole) + 1) == []
    assert sim.trace(0) == whole
    assert sim.trace(len(whole) - 1, len(whole) + 50) == whole[-2:]  # a slice ends with the trace


def test_node_states_are_the_nodes_part_of_the_full_state_at_every_step() -> None:
    sim = ticking(count=3, every_ms=5)
    while not sim.finished:
        assert sim.node_states() == sim.state()["nodes"]
        sim.step()


def test_the_state_names_the_clock_and_the_counters_of_the_run() -> None:
    sim = ticking(count=3)
    sim.run(until_ms=115)

    state = sim.state()

    assert {k: state[k] for k in ("t", "seq", "steps", "messages", "finished", "halted")} == {
        "t": 115,
        "seq": 4,  # m1 into the queue, to sales, handled; m2 into the queue
        "steps": 4,
        "messages": 2,
        "finished": False,
        "halted": None,
    }
    assert set(state) == {
        "t",
        "seq",
        "steps",
        "messages",
        "finished",
        "halted",
        "nodes",
        "in_flight",
        "handling",
    }
