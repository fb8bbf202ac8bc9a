"""Topics: publish-subscribe, one copy of the same message to every subscriber."""

from __future__ import annotations

from typing import Any

from simulator.engine import Simulation, load_topology

Node = dict[str, Any]
Record = dict[str, Any]


def build(*nodes: Node) -> Simulation:
    return Simulation(
        load_topology({"schema": "msglab/topology@1", "name": "topic test", "nodes": list(nodes)})
    )


def publisher(*at_ms: float) -> Node:
    message = {"type": "OrderPlaced", "kind": "event", "payload": {"orderId": 7}}
    return {
        "id": "shop",
        "kind": "client",
        "sends": [{"to": "orders.events", "at_ms": at, "message": message} for at in at_ms or (0,)],
    }


def subscriber(node_id: str) -> Node:
    return {
        "id": node_id,
        "kind": "service",
        "subscribes": ["orders.events"],
        "handles": {"OrderPlaced": {}},
    }


TOPIC: Node = {"id": "orders.events", "kind": "topic"}


def records(sim: Simulation, event: str, **match: Any) -> list[Record]:
    return [
        r for r in sim.trace() if r["event"] == event and all(r[k] == v for k, v in match.items())
    ]


def test_every_subscriber_gets_one_copy_with_the_same_message_id() -> None:
    sim = build(
        publisher(), TOPIC, subscriber("billing"), subscriber("shipping"), subscriber("email")
    )

    sim.run()

    [published] = records(sim, "hop", to="orders.events")
    assert (published["from"], published["t"]) == ("shop", 10)
    copies = records(sim, "hop", **{"from": "orders.events"})
    assert sorted(r["to"] for r in copies) == ["billing", "email", "shipping"]
    assert {r["t"] for r in copies} == {20}
    handled = records(sim, "handled")
    assert sorted(r["to"] for r in handled) == ["billing", "email", "shipping"]
    assert all("detail" not in r for r in copies + handled)  # each copy is a plain delivery
    assert {r["message"]["id"] for r in copies + handled} == {"m1"}
    assert {r["message"]["payload"]["orderId"] for r in handled} == {7}
    assert sim.messages == 1  # copies are not new messages


def test_a_message_published_to_a_topic_without_subscribers_is_dropped() -> None:
    sim = build(publisher(), TOPIC)

    sim.run()

    trace = sim.trace()
    assert [r["event"] for r in trace] == ["hop", "dropped"]
    dropped = trace[1]
    assert dropped["from"] == "orders.events"
    assert dropped["to"] is None
    assert dropped["message"]["id"] == "m1"
    assert dropped["detail"] == {"reason": "no subscribers: the message reaches nobody"}


def test_a_copy_for_a_down_subscriber_waits_and_is_handled_after_it_comes_up() -> None:
    sim = build(publisher(), TOPIC, subscriber("billing"), subscriber("shipping"))
    sim.apply({"action": "down", "node": "shipping"})

    sim.run()

    assert [r["to"] for r in records(sim, "handled")] == ["billing"]
    waiting = records(sim, "waiting", to="shipping")
    assert len(waiting) == 1
    assert waiting[0]["from"] == "orders.events"
    assert waiting[0]["message"]["id"] == "m1"
    assert waiting[0]["detail"] == {"reason": "shipping is down", "depth": 1}
    assert sim.state()["nodes"]["shipping"] == {
        "kind": "service",
        "status": "down",
        "busy": 0,
        "inbox": 1,
    }

    sim.run(until_ms=500)
    sim.apply({"action": "up", "node": "shipping"})
    sim.run()

    late = records(sim, "handled", to="shipping")
    assert len(late) == 1
    assert late[0]["message"]["id"] == "m1"
    assert late[0]["t"] == 510  # handling starts when it comes up and takes 10 ms
    assert sim.state()["nodes"]["shipping"]["inbox"] == 0


def test_a_busy_subscriber_handles_the_next_copy_when_it_is_free() -> None:
    sim = build(publisher(0, 1), TOPIC, subscriber("billing"))

    sim.run()

    handled = records(sim, "handled", to="billing")
    assert [r["message"]["id"] for r in handled] == ["m1", "m2"]
    assert [r["t"] for r in handled] == [30, 40]


def test_copies_for_a_down_subscriber_wait_in_its_inbox_named_by_its_label() -> None:
    shipping = {**subscriber("shipping"), "label": "Shipping Service"}
    sim = build(publisher(0, 1), TOPIC, shipping)
    sim.apply({"action": "down", "node": "shipping"})

    sim.run()

    # the words a learner reads: the label, not the id
    assert [r["detail"] for r in records(sim, "waiting")] == [
        {"reason": "Shipping Service is down", "depth": 1},
        {"reason": "Shipping Service is down", "depth": 2},
    ]


def test_bringing_a_subscriber_up_returns_the_records_it_writes_at_once() -> None:
    sim = build(publisher(), TOPIC, {**subscriber("shipping"), "handles": {"OrderShipped": {}}})
    assert sim.apply({"action": "down", "node": "shipping"}) == []
    sim.run()
    seq = sim.seq

    written = sim.apply({"action": "up", "node": "shipping"})

    # the waiting copy is one shipping has no handler for: it is dropped as soon as it is taken
    assert written == sim.trace(seq + 1)
    [dropped] = written
    assert (dropped["seq"], dropped["event"], dropped["from"], dropped["to"]) == (
        seq + 1,
        "dropped",
        "orders.events",
        "shipping",
    )
    assert dropped["detail"] == {"reason": "shipping has no handler for OrderPlaced"}
