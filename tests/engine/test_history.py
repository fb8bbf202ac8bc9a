"""Stepping, going back and seeking: any earlier moment of a run, exactly as it was."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from simulator.engine import SeekError, Simulation, Topology, load_topology
from simulator.scenarios import load_scenario

Record = dict[str, Any]

SNAPSHOT_BOUNDARIES = (1, 255, 256, 257, 511, 512, 513)


def busy_shop(orders: int = 90) -> Topology:
    """Several hundred steps, with failures and duplicates drawing random numbers."""
    emit = [{"type": "OrderPlaced", "kind": "event", "to": "news"}]
    return load_topology(
        {
            "schema": "msglab/topology@1",
            "name": "history test",
            "seed": 5,
            "nodes": [
                {
                    "id": "shop",
                    "kind": "client",
                    "sends": [
                        {
                            "to": "orders",
                            "count": orders,
                            "every_ms": 4,
                            "message": {"type": "PlaceOrder", "kind": "command"},
                        }
                    ],
                },
                {"id": "orders", "kind": "queue", "duplicate_rate": 0.2, "max_deliveries": 3},
                {"id": "news", "kind": "topic"},
                {
                    "id": "a",
                    "kind": "service",
                    "consumes": ["orders"],
                    "failure_rate": 0.2,
                    "duration_ms": 6,
                    "handles": {"PlaceOrder": {"emit": emit}},
                },
                {
                    "id": "b",
                    "kind": "service",
                    "consumes": ["orders"],
                    "failure_rate": 0.2,
                    "duration_ms": 9,
                    "idempotent": True,
                    "handles": {"PlaceOrder": {"emit": emit}},
                },
                {
                    "id": "c",
                    "kind": "service",
                    "subscribes": ["news"],
                    "duration_ms": 3,
                    "handles": {"OrderPlaced": {}},
                },
            ],
        }
    )


def run_to_seq(sim: Simulation, seq: int) -> Simulation:
    """Step a simulation to the first step boundary with at least ``seq`` records."""
    while sim.seq < seq and not sim.finished:
        sim.run(max_events=1)  # a step, without building its records
    return sim


def run_steps(sim: Simulation, steps: int) -> Simulation:
    sim.run(max_events=steps - sim.steps)
    return sim


def as_json(sim: Simulation) -> str:
    return json.dumps({"state": sim.state(), "trace": sim.trace()}, sort_keys=True)


def everything(sim: Simulation) -> tuple[Any, ...]:
    """The whole state (round-robin positions, pending failures, seen ids, the random stream
    and the action log included) and the trace: all that decides what a run writes next."""
    return sim.fingerprint(), sim.trace()


def agree_from_here(sim: Simulation, fresh: Simulation) -> None:
    """``sim`` and ``fresh`` are in the same state now, and write the same future."""
    assert everything(sim) == everything(fresh)
    sim.run()
    fresh.run()
    assert sim.trace() == fresh.trace()


def test_each_step_returns_exactly_the_records_of_the_next_event() -> None:
    stepped = Simulation(busy_shop())
    collected: list[Record] = []

    while not stepped.finished:
        before = stepped.seq
        records = stepped.step()
        assert len(records) >= 1
        assert [r["seq"] for r in records] == list(range(before + 1, stepped.seq + 1))
        assert records == stepped.trace(before + 1)
        assert len({r["t"] for r in records}) == 1  # one event happens at one moment
        collected += records

    whole = Simulation(busy_shop())
    whole.run()
    assert stepped.steps > 600
    assert collected == whole.trace()
    assert stepped.step() == []


def test_back_restores_the_exact_previous_state_all_the_way_to_the_start() -> None:
    sim = Simulation(busy_shop())
    states = [sim.state()]
    seqs = [0]
    traces: dict[int, list[Record]] = {}
    while not sim.finished:
        sim.step()
        states.append(sim.state())
        seqs.append(sim.seq)
        if sim.steps in SNAPSHOT_BOUNDARIES or sim.steps % 97 == 0:
            traces[sim.steps] = sim.trace()
    assert sim.steps > 600  # several snapshots behind us

    for steps in range(sim.steps - 1, -1, -1):
        sim.back()
        assert sim.steps == steps
        assert sim.seq == seqs[steps]
        assert sim.state() == states[steps]
        if steps in traces:
            assert sim.trace() == traces[steps]
    assert sim.trace() == []

    with pytest.raises(SeekError):
        sim.back()


def test_stepping_again_after_going_back_repeats_the_same_records() -> None:
    sim = run_steps(Simulation(busy_shop()), 520)
    original = sim.trace()

    for _ in range(10):
        sim.back()
    assert sim.steps == 510
    run_steps(sim, 520)

    assert sim.trace() == original


def test_seek_to_an_earlier_seq_equals_a_fresh_run_to_that_point() -> None:
    sim = Simulation(busy_shop())
    sim.run()
    last = sim.seq
    targets = sorted(
        {last, last - 1, 800, 700, 641, 320, 300, 257, 256, 100, 37, 2, 1, 0}, reverse=True
    )

    for seq in targets:
        sim.seek(seq)
        fresh = run_to_seq(Simulation(busy_shop()), seq)
        assert sim.seq >= seq
        assert sim.seq == fresh.seq
        assert everything(sim) == everything(fresh)


def test_seek_to_zero_is_the_start_of_the_run() -> None:
    sim = Simulation(busy_shop())
    start = sim.state()
    sim.run()

    sim.seek(0)

    assert sim.state() == start
    assert sim.steps == 0
    assert sim.trace() == []


def test_actions_are_replayed_when_seeking() -> None:
    sim = run_steps(Simulation(busy_shop()), 300)
    at_action = sim.seq
    sim.apply({"action": "down", "node": "b"})
    sim.run()
    after = at_action + 150
    assert sim.seq > after

    sim.seek(after)
    assert sim.state()["nodes"]["b"]["status"] == "down"
    fresh = run_steps(Simulation(busy_shop()), 300)
    fresh.apply({"action": "down", "node": "b"})
    run_to_seq(fresh, after)
    assert as_json(sim) == as_json(fresh)

    sim.seek(at_action)  # the action came after this step: it is replayed here too
    assert sim.state()["nodes"]["b"]["status"] == "down"

    sim.seek(at_action - 20)
    assert sim.state()["nodes"]["b"]["status"] == "up"
    assert as_json(sim) == as_json(run_to_seq(Simulation(busy_shop()), at_action - 20))


def test_an_action_on_a_snapshot_boundary_is_replayed_when_seeking() -> None:
    sim = run_steps(Simulation(busy_shop()), 256)
    sim.apply({"action": "down", "node": "a"})
    sim.apply({"action": "fail_next", "node": "b"})
    run_steps(sim, 400)
    expected = as_json(sim)

    sim.seek(sim.seq - 1)
    run_steps(sim, 400)

    assert as_json(sim) == expected
    assert sim.state()["nodes"]["a"]["status"] == "down"


def test_a_new_action_after_going_back_forgets_the_old_future() -> None:
    sim = run_steps(Simulation(busy_shop()), 400)
    sim.apply({"action": "down", "node": "b"})
    sim.run()
    old_future = sim.trace()

    sim.seek(1)  # back before the action...
    run_steps(sim, 200)
    sim.apply({"action": "down", "node": "a"})  # ...and do something else
    sim.run()

    fresh = run_steps(Simulation(busy_shop()), 200)
    fresh.apply({"action": "down", "node": "a"})
    fresh.run()
    assert sim.trace() == fresh.trace()
    assert sim.trace() != old_future
    assert sim.state()["nodes"]["b"]["status"] == "up"
    assert sim.state()["nodes"]["a"]["status"] == "down"


def test_seek_to_the_current_seq_changes_nothing() -> None:
    sim = run_steps(Simulation(busy_shop()), 300)
    sim.apply({"action": "down", "node": "b"})
    before = as_json(sim)

    sim.seek(sim.seq)

    assert as_json(sim) == before


def test_seek_out_of_range_raises_seek_error_and_changes_nothing() -> None:
    sim = run_steps(Simulation(busy_shop()), 50)
    before = as_json(sim)

    for bad in (-1, sim.seq + 1, 10**9, 1.5, "3", True, None):
        with pytest.raises(SeekError) as refused:
            sim.seek(bad)  # type: ignore[arg-type]
        assert str(refused.value) == f"seq must be a whole number from 0 to {sim.seq}"
        assert as_json(sim) == before


def test_back_at_the_start_raises_seek_error() -> None:
    sim = Simulation(busy_shop())

    with pytest.raises(SeekError) as refused:
        sim.back()
    assert str(refused.value) == "already at the start of the run"
    assert sim.steps == 0
    assert sim.seq == 0


def test_a_simulation_without_history_refuses_to_go_back() -> None:
    sim = Simulation(busy_shop(), history=False)
    sim.run(max_events=10)
    state = sim.state()

    for go_back in (sim.back, lambda: sim.seek(0)):
        with pytest.raises(SeekError) as refused:
            go_back()
        assert str(refused.value) == "this simulation keeps no history, so it cannot go back"
    assert sim.state() == state


def test_a_simulation_without_history_keeps_only_the_records_of_the_last_call() -> None:
    sim = Simulation(busy_shop(), history=False)
    sim.run(max_events=10)
    seq = sim.seq

    records = sim.step()

    assert sim.trace() == records
    assert records[0]["seq"] == seq + 1
    sim.run()
    full = Simulation(busy_shop())
    full.run()
    assert sim.seq == full.seq
    assert sim.trace() == full.trace(sim.trace()[0]["seq"])


def test_seek_and_back_work_across_thousands_of_records() -> None:
    def chatter() -> Simulation:
        return Simulation(
            load_topology(
                {
                    "schema": "msglab/topology@1",
                    "name": "long history test",
                    "nodes": [
                        {
                            "id": "radio",
                            "kind": "client",
                            "sends": [
                                {
                                    "to": "void",
                                    "count": 2400,
                                    "every_ms": 1,
                                    "message": {"type": "NoteTaken", "kind": "event"},
                                }
                            ],
                        },
                        {"id": "void", "kind": "topic"},
                    ],
                }
            )
        )

    sim = chatter()
    sim.run()
    assert sim.seq == 4800  # a hop and a drop per note: more than one packed block of 4096
    full = sim.trace()

    # 4700 goes back to a snapshot taken after the first block was packed
    for seq in (4700, 4150, 4097, 4096, 4095, 1234):
        sim.seek(seq)
        fresh = run_to_seq(chatter(), seq)
        assert sim.seq == fresh.seq
        assert sim.trace() == fresh.trace() == full[: sim.seq]
        assert sim.state() == fresh.state()
    sim.back()
    assert sim.trace() == full[: sim.seq]
    sim.run()
    assert sim.trace() == full


def test_seeking_around_an_action_that_writes_records_matches_a_fresh_run() -> None:
    def inbox_sim() -> Simulation:
        sends = [
            {"to": "news", "at_ms": i, "message": {"type": t, "kind": "event"}}
            for i, t in enumerate(["Gossiped", "OrderPlaced", "OrderPlaced"])
        ]
        return Simulation(
            load_topology(
                {
                    "schema": "msglab/topology@1",
                    "name": "records from an action",
                    "nodes": [
                        {"id": "shop", "kind": "client", "sends": sends},
                        {"id": "news", "kind": "topic"},
                        {
                            "id": "billing",
                            "kind": "service",
                            "subscribes": ["news"],
                            "handles": {"OrderPlaced": {}},
                        },
                    ],
                }
            )
        )

    def with_actions() -> Simulation:
        sim = inbox_sim()
        sim.apply({"action": "down", "node": "billing"})
        sim.run(until_ms=100)
        sim.apply({"action": "up", "node": "billing"})  # drops the Gossiped copy at once
        sim.run()
        return sim

    sim = with_actions()
    full = sim.trace()
    dropped = [r for r in full if r["event"] == "dropped"]
    assert (
        len(dropped) == 1 and dropped[0]["t"] == 100 and dropped[0]["message"]["type"] == "Gossiped"
    )

    for seq in range(len(full), -1, -1):
        sim.seek(seq)
        assert sim.trace() == full[: sim.seq]
        assert sim.seq >= seq
        fresh = with_actions()
        fresh.seek(seq)
        assert sim.state() == fresh.state()


def test_seek_back_across_round_robin_hand_offs_gives_a_fresh_runs_state_and_future() -> None:
    topology = load_scenario("competing-consumers").topology
    whole = Simulation(topology)
    whole.run()
    workers = [r["to"] for r in whole.trace() if r["event"] == "hop" and r["from"] == "image.jobs"]
    assert len(set(workers)) == 3  # the queue hands jobs to each of its workers in turn

    # the first hand-offs move the queue's round-robin position; later ones are pulls by
    # whichever worker is free, so going back from early on is what crosses them
    for here in range(1, 10):
        for there in range(here):
            fresh = run_steps(Simulation(topology), there)
            sim = run_steps(Simulation(topology), here)
            if there % 2:
                sim.seek(fresh.seq)
            else:
                for _ in range(here - there):
                    sim.back()
            agree_from_here(sim, fresh)


FAIL_BILLING = {"action": "fail_next", "node": "billing"}


def test_seek_back_to_before_a_pending_fail_next_forgets_it() -> None:
    topology = load_scenario("order-flow").topology
    sim = run_steps(Simulation(topology), 2)
    early = sim.seq
    run_steps(sim, 3)
    sim.apply(FAIL_BILLING)
    run_steps(sim, 6)
    assert not [r for r in sim.trace() if r["event"] == "failed"]  # billing has not failed yet

    sim.seek(early)

    agree_from_here(sim, run_steps(Simulation(topology), 2))
    assert not [r for r in sim.trace() if r["event"] == "failed"]


def test_going_back_across_a_fail_next_that_was_used_replays_it() -> None:
    topology = load_scenario("order-flow").topology

    def failing() -> Simulation:
        sim = run_steps(Simulation(topology), 3)
        sim.apply(FAIL_BILLING)
        return sim

    sim = failing()
    at_action = sim.seq
    sim.run()
    assert [r["to"] for r in sim.trace() if r["event"] == "failed"] == ["billing"]

    sim.seek(at_action)
    agree_from_here(sim, failing())
    while sim.steps > 4:
        sim.back()
    agree_from_here(sim, run_steps(failing(), 4))


def test_runs_that_differ_only_in_a_message_on_its_way_have_different_fingerprints() -> None:
    def shop(order_id: int) -> Simulation:
        message = {"type": "PlaceOrder", "kind": "command", "payload": {"orderId": order_id}}
        return Simulation(
            load_topology(
                {
                    "schema": "msglab/topology@1",
                    "name": "fingerprint test",
                    "nodes": [
                        {
                            "id": "shop",
                            "kind": "client",
                            "sends": [{"to": "orders", "message": message}],
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

    first, same, other = (run_steps(shop(order_id), 1) for order_id in (1, 1, 2))
    [on_its_way] = first.state()["in_flight"]
    assert on_its_way["to"] == "sales"

    assert first.fingerprint() == same.fingerprint()
    # same clock, counters, queues and records so far: only the payload on its way differs
    assert first.fingerprint() != other.fingerprint()


def burst() -> Topology:
    """Hundreds of steps at t=0: with no latency and no handling time, nothing takes time."""
    sends = [{"to": "news", "message": {"type": "Noted", "kind": "event"}} for _ in range(100)]
    return load_topology(
        {
            "schema": "msglab/topology@1",
            "name": "burst",
            "latency_ms": 0,
            "nodes": [
                {"id": "shop", "kind": "client", "sends": sends},
                {"id": "news", "kind": "topic"},
                *(
                    {
                        "id": node_id,
                        "kind": "service",
                        "subscribes": ["news"],
                        "duration_ms": 0,
                        "handles": {"Noted": {}},
                    }
                    for node_id in ("a", "b")
                ),
            ],
        }
    )


@pytest.mark.parametrize(
    ("make", "acted_at"),
    [
        (busy_shop, 100),  # before the snapshot at step 256, and long after t=0
        (busy_shop, 256),  # on the snapshot itself
        (burst, 290),  # after the snapshot, but at t=0
    ],
)
def test_going_back_to_after_an_action_replays_it_once_at_its_step(
    make: Callable[[], Topology], acted_at: int
) -> None:
    def acted() -> Simulation:
        sim = run_steps(Simulation(make()), acted_at)
        sim.apply({"action": "down", "node": "b"})
        return sim

    sim = run_steps(acted(), 300)
    here = sim.seq
    run_steps(sim, 400)

    sim.seek(here)

    assert sim.steps == 300
    agree_from_here(sim, run_steps(acted(), 300))


def test_a_snapshot_of_a_forgotten_future_is_never_restored() -> None:
    def two_down(sim: Simulation) -> Simulation:
        sim.apply({"action": "down", "node": "a"})
        sim.apply({"action": "down", "node": "b"})
        return sim

    seq_at_512 = run_steps(Simulation(busy_shop(300)), 512).seq  # a snapshot is taken there
    sim = run_steps(Simulation(busy_shop(300)), 300)
    branch = sim.seq
    run_steps(sim, 600)
    sim.seek(branch)
    run_steps(two_down(sim), 480)  # another future, with more records per step
    assert sim.seq > seq_at_512

    sim.seek(seq_at_512)

    assert sim.steps < 480
    agree_from_here(
        sim, run_to_seq(two_down(run_steps(Simulation(busy_shop(300)), 300)), seq_at_512)
    )
