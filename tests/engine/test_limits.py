"""Bounded runs: the message budget, and loops and storms caught and named."""

from __future__ import annotations

import time
from typing import Any

import pytest

from simulator.engine import ActionError, Simulation, load_topology

Node = dict[str, Any]


def topology(*nodes: Node, **top: Any) -> Any:
    return load_topology(
        {"schema": "msglab/topology@1", "name": "limits test", **top, "nodes": list(nodes)}
    )


def client(to: str, type_name: str, kind: str, count: int = 1, every_ms: float = 1) -> Node:
    send: Node = {"to": to, "count": count, "message": {"type": type_name, "kind": kind}}
    if count > 1:
        send["every_ms"] = every_ms
    return {"id": "starter", "kind": "client", "sends": [send]}


def ping_pong(**top: Any) -> Any:
    """right -Pong-> left.inbox -> left -Ping-> right.inbox -> right ... forever, one at a time."""
    return topology(
        client("right.inbox", "Ping", "command"),
        {"id": "left.inbox", "kind": "queue"},
        {"id": "right.inbox", "kind": "queue"},
        {
            "id": "left",
            "kind": "service",
            "consumes": ["left.inbox"],
            "handles": {
                "Pong": {"emit": [{"type": "Ping", "kind": "command", "to": "right.inbox"}]}
            },
        },
        {
            "id": "right",
            "kind": "service",
            "consumes": ["right.inbox"],
            "handles": {
                "Ping": {"emit": [{"type": "Pong", "kind": "command", "to": "left.inbox"}]}
            },
        },
        **top,
    )


def echo_storm(**top: Any) -> Any:
    """Two subscribers that each republish what they hear: every round doubles the messages."""
    echo = {"Echoed": {"emit": [{"type": "Echoed", "kind": "event", "to": "town.square"}]}}
    return topology(
        client("town.square", "Echoed", "event"),
        {"id": "town.square", "kind": "topic"},
        {"id": "alice", "kind": "service", "subscribes": ["town.square"], "handles": echo},
        {"id": "bob", "kind": "service", "subscribes": ["town.square"], "handles": echo},
        **top,
    )


def test_the_default_message_budget_is_ten_thousand() -> None:
    plain = topology(
        client("void", "NoteTaken", "event", count=20_000), {"id": "void", "kind": "topic"}
    )

    sim = Simulation(plain)
    sim.run()

    assert plain.max_messages == 10_000
    assert sim.max_messages == 10_000
    assert sim.messages == 10_000
    assert sim.halted is not None
    assert sim.halted["reason"] == "budget"
    assert sim.halted["limit"] == 10_000


def test_the_simulation_can_set_a_smaller_budget_than_the_topology() -> None:
    sim = Simulation(ping_pong(max_messages=1000), max_messages=30)
    sim.run()

    assert sim.messages == 30
    assert sim.halted is not None and sim.halted["limit"] == 30


def test_a_plain_long_run_halts_with_reason_budget_when_it_runs_out_of_messages() -> None:
    sim = Simulation(
        topology(
            client("work", "DoWork", "command", count=500, every_ms=1),
            {"id": "work", "kind": "queue"},
            {
                "id": "worker",
                "kind": "service",
                "consumes": ["work"],
                "duration_ms": 0.5,
                "handles": {"DoWork": {}},
            },
            max_messages=100,
        )
    )

    sim.run()

    last = sim.trace()[-1]
    assert last["event"] == "halted"
    assert last["message"] is None
    assert last["from"] == "starter"
    assert last["to"] is None
    assert last["detail"]["reason"] == "budget"
    assert last["detail"]["limit"] == 100
    assert "100" in last["detail"]["message"]
    assert "types" not in last["detail"]
    assert sim.messages == 100
    assert sim.state()["halted"] == last["detail"] == sim.halted


def test_a_ping_pong_loop_halts_with_reason_loop_naming_its_types_and_nodes() -> None:
    sim = Simulation(ping_pong(max_messages=50))

    sim.run()

    halted = sim.trace()[-1]
    assert halted["event"] == "halted"
    assert halted["detail"]["reason"] == "loop"
    assert halted["detail"]["types"] == ["Ping", "Pong"]
    assert set(halted["detail"]["nodes"]) == {"left", "right", "left.inbox", "right.inbox"}
    # the sentence a learner reads: exactly this wording is the contract
    assert halted["detail"]["message"] == "Ping, Pong keep causing each other through " + ", ".join(
        halted["detail"]["nodes"]
    )
    assert halted["from"] in {"left", "right"}
    assert sim.messages == 50
    assert [w.code for w in sim.topology.warnings] == ["message-cycle"]


def test_a_topic_fan_out_cycle_halts_with_reason_storm_naming_its_types_and_nodes() -> None:
    sim = Simulation(echo_storm(max_messages=500))

    sim.run()

    halted = sim.trace()[-1]
    assert halted["event"] == "halted"
    assert halted["detail"]["reason"] == "storm"
    assert halted["detail"]["types"] == ["Echoed"]
    assert set(halted["detail"]["nodes"]) == {"town.square", "alice", "bob"}
    assert halted["detail"]["message"] == "Echoed keep causing each other through " + ", ".join(
        halted["detail"]["nodes"]
    )
    assert sim.halted == halted["detail"]


def test_a_storm_is_caught_early_far_below_a_large_budget() -> None:
    sim = Simulation(echo_storm(max_messages=20_000))
    started = time.perf_counter()

    sim.run()

    assert sim.halted is not None
    assert sim.halted["reason"] == "storm"
    assert sim.messages < 2_000, (
        f"the storm was only stopped after {sim.messages} messages, at the budget"
    )
    # the client's message, then the 1,000 the storm's handlers may make: the next one halts
    assert sim.messages == 1 + 1_000
    assert time.perf_counter() - started < 1.0


def test_after_halting_the_run_is_finished_and_step_does_nothing() -> None:
    sim = Simulation(ping_pong(max_messages=20))
    sim.run()
    seq, state = sim.seq, sim.state()

    assert sim.finished
    assert state["finished"] is True
    assert sim.step() == []
    assert sim.run() == 0
    assert sim.run(until_ms=10_000) == 0
    assert sim.seq == seq
    assert sim.state() == state


def test_a_halted_run_refuses_further_actions() -> None:
    sim = Simulation(ping_pong(max_messages=20))
    sim.run()
    state = sim.state()

    with pytest.raises(ActionError) as refused:
        sim.apply({"action": "down", "node": "left"})
    assert (refused.value.field, refused.value.message) == (
        "action",
        "the run has halted; reset it to go on",
    )
    assert sim.state() == state


def test_an_injected_message_over_the_budget_halts_the_run_and_apply_returns_that_record() -> None:
    sim = Simulation(
        topology(
            client("work", "DoWork", "command"),
            {"id": "work", "kind": "queue"},
            {"id": "worker", "kind": "service", "consumes": ["work"], "handles": {"DoWork": {}}},
            max_messages=1,
        )
    )
    sim.run()
    seq = sim.seq
    assert sim.halted is None

    written = sim.apply(
        {
            "action": "inject",
            "from": "starter",
            "to": "work",
            "message": {"type": "DoWork", "kind": "command"},
        }
    )

    assert written == sim.trace(seq + 1)
    [halted] = written
    assert (halted["seq"], halted["event"], halted["from"]) == (seq + 1, "halted", "starter")
    assert halted["detail"] == {
        "reason": "budget",
        "message": "the message budget of 1 is used up",
        "limit": 1,
    }
    assert sim.messages == 1
    assert sim.finished


def lopsided_storm() -> Any:
    """looper feeds itself and a slow service: one more message each round, one deeper chain."""
    tick = [
        {"type": "Tick", "kind": "event", "to": "loop.inbox"},
        {"type": "Tick", "kind": "event", "to": "slow.inbox"},
    ]
    return topology(
        client("loop.inbox", "Tick", "event"),
        {"id": "loop.inbox", "kind": "queue"},
        {"id": "slow.inbox", "kind": "queue"},
        {
            "id": "looper",
            "kind": "service",
            "consumes": ["loop.inbox"],
            "handles": {"Tick": {"emit": tick}},
        },
        {
            "id": "slow",
            "kind": "service",
            "consumes": ["slow.inbox"],
            "duration_ms": 86_400_000,  # a day: it never gets to emit
            "handles": {"Tick": {"emit": tick[:1]}},
        },
        max_messages=20_000,
    )


def causation_depth(trace: list[dict[str, Any]]) -> int:
    """How many causation links the longest chain in the trace has."""
    by_id = {r["message"]["id"]: r["message"] for r in trace if r["message"]}
    deepest = 0
    for message in by_id.values():
        links = 0
        while message["causation_id"] is not None:
            message, links = by_id[message["causation_id"]], links + 1
        deepest = max(deepest, links)
    return deepest


def test_a_storm_that_grows_deep_before_it_grows_wide_halts_at_a_chain_of_32() -> None:
    sim = Simulation(lopsided_storm())

    sim.run()

    assert sim.halted is not None
    assert sim.halted["reason"] == "storm"
    assert sim.halted["message"] == (
        "Tick keep causing each other through loop.inbox, slow.inbox, looper, slow"
    )
    # handling the message 32 links from the client's send would make it longer: it halts
    assert causation_depth(sim.trace()) == 32
    assert sim.messages == 1 + 2 * 32  # each of looper's 32 handlings made two
    assert sim.trace()[-1]["from"] == "looper"
