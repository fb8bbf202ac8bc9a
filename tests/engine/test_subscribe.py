"""Subscribing a service mid-run: the sender does not change, the receivers do."""

from __future__ import annotations

from typing import Any

import pytest

from simulator.engine import ActionError, Simulation, load_topology

SHOP: dict[str, Any] = {
    "schema": "msglab/topology@1",
    "name": "subscribe test",
    "nodes": [
        {
            "id": "shop",
            "kind": "client",
            "sends": [
                {
                    "to": "sales",
                    "count": 6,
                    "every_ms": 100,
                    "message": {"type": "PlaceOrder", "kind": "command"},
                }
            ],
        },
        {
            "id": "sales",
            "kind": "service",
            "handles": {
                "PlaceOrder": {
                    "emit": [
                        {"type": "OrderPlaced", "kind": "event", "to": "news"},
                        {"type": "ReserveStock", "kind": "command", "to": "stock"},
                    ]
                }
            },
        },
        {"id": "news", "kind": "topic"},
        {"id": "stock", "kind": "queue"},
        {
            "id": "billing",
            "kind": "service",
            "subscribes": ["news"],
            "handles": {"OrderPlaced": {}},
        },
        {"id": "depot", "kind": "service", "consumes": ["stock"], "handles": {"ReserveStock": {}}},
        {
            "id": "email",
            "kind": "service",
            "handles": {"OrderPlaced": {}, "ReserveStock": {}},
        },
    ],
}


def handled_by(sim: Simulation, type_name: str, start: int = 1) -> list[str]:
    return [
        r["to"]
        for r in sim.trace(start)
        if r["event"] == "handled" and r["message"]["type"] == type_name
    ]


def test_a_service_subscribed_mid_run_gets_every_event_published_after_it() -> None:
    sim = Simulation(load_topology(SHOP))
    sim.run(until_ms=250)
    before = sim.trace()
    assert "email" not in handled_by(sim, "OrderPlaced")
    mark = sim.seq
    assert sim.apply({"action": "subscribe", "node": "email", "to": "news"}) == []
    order = {"type": "PlaceOrder", "kind": "command"}
    sim.apply({"action": "inject", "from": "shop", "to": "sales", "message": order})
    sim.run()
    after = handled_by(sim, "OrderPlaced", mark + 1)
    assert after.count("email") == after.count("billing") >= 3
    assert sim.trace(1, mark + 1) == before  # what happened before is untouched
    assert sim.subscriptions() == [("email", "news")]  # the inject is no subscription


def test_a_service_that_starts_consuming_a_queue_competes_for_its_commands() -> None:
    sim = Simulation(load_topology(SHOP))
    sim.run(until_ms=150)
    mark = sim.seq
    sim.apply({"action": "subscribe", "node": "email", "to": "stock"})
    sim.run()
    takers = handled_by(sim, "ReserveStock", mark + 1)
    assert {"depot", "email"} <= set(takers)
    # one receiver per command, still: every command is handled exactly once
    commands = [
        r["message"]["id"]
        for r in sim.trace(mark + 1)
        if r["event"] == "handled" and r["message"]["type"] == "ReserveStock"
    ]
    assert len(commands) == len(set(commands))


def test_going_back_past_a_subscribe_undoes_it() -> None:
    sim = Simulation(load_topology(SHOP))
    sim.run(until_ms=150)
    at = sim.seq
    sim.apply({"action": "subscribe", "node": "email", "to": "news"})
    sim.run(until_ms=450)
    sim.seek(at + 2)
    assert sim.subscriptions() == [("email", "news")]
    sim.seek(at - 1)
    assert sim.subscriptions() == []
    sim.run(until_ms=450)
    unsubscribed = Simulation(load_topology(SHOP))
    unsubscribed.run(until_ms=450)
    assert sim.trace() == unsubscribed.trace()
    assert "email" not in handled_by(sim, "OrderPlaced")


def test_the_same_run_with_the_same_subscribe_gives_the_same_trace() -> None:
    runs = []
    for _ in range(2):
        sim = Simulation(load_topology(SHOP))
        sim.run(until_ms=150)
        sim.apply({"action": "subscribe", "node": "email", "to": "stock"})
        sim.run()
        runs.append(sim.trace())
    assert runs[0] == runs[1]


@pytest.mark.parametrize(
    ("action", "field", "words"),
    [
        ({"node": "email", "to": "news", "extra": 1}, "extra", "unknown field"),
        ({"node": "news", "to": "news"}, "node", "expected a service"),
        ({"node": "email", "to": "sales"}, "to", "expected a queue or topic"),
        ({"node": "email", "to": "nowhere"}, "to", "unknown node"),
        ({"node": "billing", "to": "news"}, "to", "already subscribes to topic 'news'"),
        ({"node": "depot", "to": "stock"}, "to", "already consumes from queue 'stock'"),
    ],
)
def test_a_subscribe_that_cannot_be_done_is_refused_naming_the_field_and_changes_nothing(
    action: dict[str, Any], field: str, words: str
) -> None:
    sim = Simulation(load_topology(SHOP))
    sim.run(until_ms=150)
    before = sim.fingerprint()
    with pytest.raises(ActionError) as refused:
        sim.apply({"action": "subscribe", **action})
    assert refused.value.field == field
    assert words in refused.value.message
    assert sim.fingerprint() == before
