"""Queues: point-to-point delivery to competing consumers, and waiting when nobody can take it."""

from __future__ import annotations

from collections import Counter
from itertools import permutations
from typing import Any

import pytest

from simulator.engine import Simulation, load_topology

Node = dict[str, Any]
Record = dict[str, Any]

HANDLES_ORDERS: dict[str, Any] = {"PlaceOrder": {}}


def build(*nodes: Node, **top: Any) -> Simulation:
    return Simulation(
        load_topology(
            {"schema": "msglab/topology@1", "name": "queue test", **top, "nodes": list(nodes)}
        )
    )


def client(*sends: Node) -> Node:
    return {"id": "shop", "kind": "client", "sends": list(sends)}


def orders(count: int = 1, every_ms: float = 100, at_ms: float = 0) -> Node:
    send: Node = {
        "to": "orders",
        "at_ms": at_ms,
        "count": count,
        "message": {"type": "PlaceOrder", "kind": "command"},
    }
    if count > 1:
        send["every_ms"] = every_ms
    return send


def consumer(node_id: str, **fields: Any) -> Node:
    return {
        "id": node_id,
        "kind": "service",
        "consumes": ["orders"],
        "handles": HANDLES_ORDERS,
        **fields,
    }


def queue(**fields: Any) -> Node:
    return {"id": "orders", "kind": "queue", **fields}


def records(sim: Simulation, event: str, **match: Any) -> list[Record]:
    return [
        r for r in sim.trace() if r["event"] == event and all(r[k] == v for k, v in match.items())
    ]


def test_a_message_on_a_queue_goes_to_exactly_one_of_several_competing_consumers() -> None:
    sim = build(client(orders()), queue(), consumer("a"), consumer("b"), consumer("c"))

    sim.run()

    deliveries = records(sim, "hop", **{"from": "orders"})
    handled = records(sim, "handled")
    assert len(deliveries) == 1
    assert len(handled) == 1
    assert handled[0]["to"] == deliveries[0]["to"]
    assert handled[0]["to"] in {"a", "b", "c"}
    assert handled[0]["message"]["id"] == "m1"


def test_competing_consumers_share_the_work_round_robin() -> None:
    sim = build(
        client(orders(count=9, every_ms=100)), queue(), consumer("a"), consumer("b"), consumer("c")
    )

    sim.run()

    order = [r["to"] for r in records(sim, "handled")]
    assert len(order) == 9
    assert Counter(order) == {"a": 3, "b": 3, "c": 3}
    assert order[:3] == order[3:6] == order[6:9]  # the same rotation every round


@pytest.mark.parametrize("names", [("a", "b"), ("a", "b", "c")])
@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_competing_consumers_take_turns_in_the_order_the_topology_lists_them(
    names: tuple[str, ...], seed: int
) -> None:
    sim = build(
        client(orders(count=6, every_ms=100)),
        queue(),
        *(consumer(name) for name in names),
        seed=seed,
    )

    sim.run()

    order = [r["to"] for r in records(sim, "handled")]
    first = names.index(order[0])  # chosen by the seed
    assert order == [names[(first + k) % len(names)] for k in range(6)]


@pytest.mark.parametrize("names", [("a", "b"), ("a", "b", "c")])
def test_the_seed_chooses_which_consumer_goes_first(names: tuple[str, ...]) -> None:
    firsts = set()
    for seed in range(12):
        sim = build(client(orders()), queue(), *(consumer(name) for name in names), seed=seed)
        sim.run()
        [handled] = records(sim, "handled")
        firsts.add(handled["to"])

    assert firsts == set(names)


def test_a_consumer_that_is_down_is_passed_over_for_the_next_one_in_turn() -> None:
    # seed 3 gives the first message to a
    sim = build(
        client(orders(count=4, every_ms=100)),
        queue(),
        consumer("a"),
        consumer("b"),
        consumer("c"),
        seed=3,
    )
    sim.apply({"action": "down", "node": "b"})

    sim.run()

    assert [r["to"] for r in records(sim, "handled")] == ["a", "c", "a", "c"]


def test_messages_that_arrive_together_go_to_different_idle_consumers() -> None:
    sim = build(
        client(orders(), orders(), orders()), queue(), consumer("a"), consumer("b"), consumer("c")
    )

    sim.run()

    handled = records(sim, "handled")
    assert sorted(r["to"] for r in handled) == ["a", "b", "c"]
    assert {r["t"] for r in handled} == {
        30
    }  # all three in parallel: 10 travel + 10 travel + 10 work
    assert records(sim, "waiting") == []


def test_a_busy_consumer_pulls_the_waiting_messages_one_by_one_in_order() -> None:
    sim = build(client(orders(), orders(), orders()), queue(), consumer("a"))

    sim.run()

    waiting = records(sim, "waiting", to="orders")
    assert [r["detail"]["depth"] for r in waiting] == [1, 2]
    assert [r["message"]["id"] for r in waiting] == ["m2", "m3"]
    handled = records(sim, "handled")
    assert [r["message"]["id"] for r in handled] == ["m1", "m2", "m3"]
    assert [r["t"] for r in handled] == [30, 50, 70]
    assert sim.state()["nodes"]["orders"]["depth"] == 0


def test_with_no_consumer_up_a_message_waits_in_the_queue() -> None:
    sim = build(client(orders(count=2, every_ms=5)), queue(), consumer("a"), consumer("b"))
    sim.apply({"action": "down", "node": "a"})
    sim.apply({"action": "down", "node": "b"})

    sim.run()

    waiting = records(sim, "waiting", to="orders")
    assert [(r["from"], r["message"]["id"], r["detail"]["depth"]) for r in waiting] == [
        ("shop", "m1", 1),
        ("shop", "m2", 2),
    ]
    assert sim.state()["nodes"]["orders"]["depth"] == 2
    assert records(sim, "handled") == []
    assert sim.finished


def test_a_waiting_message_is_delivered_when_a_consumer_comes_up() -> None:
    sim = build(client(orders(count=2, every_ms=5)), queue(), consumer("a"))
    sim.apply({"action": "down", "node": "a"})
    sim.run()
    assert sim.state()["nodes"]["orders"]["depth"] == 2

    sim.apply({"action": "up", "node": "a"})
    assert (
        sim.state()["nodes"]["orders"]["depth"] == 1
    )  # one pulled at once, the other waits its turn
    sim.run()

    handled = records(sim, "handled", to="a")
    assert [r["message"]["id"] for r in handled] == ["m1", "m2"]
    assert sim.state()["nodes"]["orders"]["depth"] == 0
    assert sim.state()["nodes"]["a"]["status"] == "up"


def test_a_message_travelling_to_a_consumer_that_goes_down_returns_to_the_queue() -> None:
    sim = build(client(orders()), queue(), consumer("a", latency_ms=50))
    sim.run(until_ms=20)  # on its way from the queue to a (arrives at 60)
    sim.apply({"action": "down", "node": "a"})
    sim.run()

    [back] = records(sim, "waiting", to="orders")
    assert (back["from"], back["t"], back["message"]["id"]) == ("a", 60, "m1")
    assert back["detail"] == {"reason": "a is down: back to the queue", "depth": 1}
    assert records(sim, "handled") == []
    assert sim.state()["nodes"]["a"]["busy"] == 0

    sim.apply({"action": "fail_next", "node": "a"})
    sim.apply({"action": "up", "node": "a"})
    sim.run()

    deliveries = records(sim, "hop", **{"from": "orders", "to": "a"})
    # the delivery that never arrived does not count: the next one is the first
    assert [r.get("detail") for r in deliveries] == [None, {"attempt": 2}]
    [failed] = records(sim, "failed")
    assert failed["detail"] == {"reason": "forced failure", "attempt": 1}
    assert [r["message"]["id"] for r in records(sim, "handled", to="a")] == ["m1"]


def test_a_message_travelling_to_a_consumer_that_goes_down_goes_on_to_an_idle_one() -> None:
    # a is the first node of the file; seed 0 sends the message to b first
    sim = build(consumer("a"), consumer("b", latency_ms=50), queue(), client(orders()), seed=0)
    sim.run(until_ms=20)
    assert [(f["from"], f["to"]) for f in sim.state()["in_flight"]] == [("orders", "b")]

    sim.apply({"action": "down", "node": "b"})
    sim.run()

    assert [(r["event"], r["from"], r["to"], r["t"]) for r in sim.trace()] == [
        ("hop", "shop", "orders", 10),
        ("waiting", "b", "orders", 60),
        ("hop", "orders", "a", 70),
        ("handled", "orders", "a", 80),
    ]
    assert sim.state()["nodes"]["orders"]["depth"] == 0


def test_a_consumer_of_several_queues_takes_from_each_in_turn() -> None:
    waiting = {"orders": 3, "refunds": 1, "returns": 2}
    sends = [
        {"to": q, "count": n, "every_ms": 1, "message": {"type": "PlaceOrder", "kind": "command"}}
        for q, n in waiting.items()
    ]
    sim = build(
        client(*sends),
        *({"id": q, "kind": "queue"} for q in waiting),
        {**consumer("clerk"), "consumes": list(waiting)},
    )
    sim.apply({"action": "down", "node": "clerk"})
    sim.run(until_ms=100)

    sim.apply({"action": "up", "node": "clerk"})
    sim.run()

    # round robin over the queues in the order it lists them, passing over an empty one
    assert [r["from"] for r in records(sim, "hop", to="clerk")] == [
        "orders",
        "refunds",
        "returns",
        "orders",
        "returns",
        "orders",
    ]


def test_the_order_of_the_nodes_in_the_file_changes_nothing() -> None:
    nodes = [client(orders(), orders(), orders()), queue(), consumer("a")]
    expected = build(*nodes)
    expected.run()
    assert [r["t"] for r in records(expected, "handled")] == [30, 50, 70]

    for order in permutations(nodes):
        sim = build(*order)
        sim.run()
        assert sim.trace() == expected.trace()
