"""At-least-once delivery: queues that deliver twice, and idempotent consumers that notice."""

from __future__ import annotations

from collections import Counter
from typing import Any

from simulator.engine import Simulation, load_topology
from simulator.engine.rng import Rng

Node = dict[str, Any]
Record = dict[str, Any]


def build(
    idempotent: bool, duplicate_rate: float = 1.0, count: int = 3, failure_rate: float = 0
) -> Simulation:
    nodes: list[Node] = [
        {
            "id": "shop",
            "kind": "client",
            "sends": [
                {
                    "to": "payments",
                    "count": count,
                    "every_ms": 100,
                    "message": {"type": "ChargeCard", "kind": "command"},
                }
            ],
        },
        {"id": "payments", "kind": "queue", "duplicate_rate": duplicate_rate},
        {
            "id": "bank",
            "kind": "service",
            "consumes": ["payments"],
            "idempotent": idempotent,
            "failure_rate": failure_rate,
            "handles": {
                "ChargeCard": {"emit": [{"type": "CardCharged", "kind": "event", "to": "news"}]}
            },
        },
        {"id": "news", "kind": "topic"},
    ]
    return Simulation(
        load_topology({"schema": "msglab/topology@1", "name": "duplicates test", "nodes": nodes})
    )


def records(sim: Simulation, event: str, **match: Any) -> list[Record]:
    return [
        r for r in sim.trace() if r["event"] == event and all(r[k] == v for k, v in match.items())
    ]


def order_ids(sim: Simulation) -> list[str]:
    return [r["message"]["id"] for r in records(sim, "hop", **{"from": "shop"})]


def charges_emitted_for(sim: Simulation) -> Counter[str]:
    return Counter(r["message"]["causation_id"] for r in records(sim, "hop", to="news"))


def test_a_queue_with_duplicate_rate_one_delivers_every_message_twice_with_the_same_id() -> None:
    sim = build(idempotent=False)

    sim.run()

    ids = order_ids(sim)
    assert len(ids) == 3
    deliveries = records(sim, "hop", **{"from": "payments", "to": "bank"})
    assert Counter(r["message"]["id"] for r in deliveries) == dict.fromkeys(
        ids, 2
    )  # a copy is never copied again
    copies = [r for r in deliveries if r.get("detail", {}).get("duplicate")]
    assert [r["message"]["id"] for r in copies] == ids
    # a copy is its own first delivery, not a redelivery of the original
    assert [r.get("detail") for r in deliveries] == [None, {"attempt": 1, "duplicate": True}] * 3
    for original, copy in zip(deliveries[0::2], deliveries[1::2], strict=True):
        assert original["message"] == copy["message"]
        assert copy["t"] > original["t"]


def test_a_duplicate_copy_waits_in_the_queue_while_the_consumer_is_busy() -> None:
    sim = build(idempotent=False, count=1)

    sim.run()

    [waiting] = records(sim, "waiting", to="payments")
    assert (waiting["from"], waiting["message"]["id"]) == ("payments", "m1")
    assert waiting["detail"] == {"depth": 1, "duplicate": True}


def test_an_idempotent_consumer_handles_a_message_once_and_acknowledges_the_repeat() -> None:
    sim = build(idempotent=True)

    sim.run()

    handled = records(sim, "handled", to="bank")
    assert len(handled) == 6
    for first, repeat in zip(handled[0::2], handled[1::2], strict=True):
        assert first["message"]["id"] == repeat["message"]["id"]
        assert "detail" not in first
        assert repeat["detail"] == {"duplicate": True, "skipped": True}
    assert charges_emitted_for(sim) == dict.fromkeys(order_ids(sim), 1)


def test_a_non_idempotent_consumer_handles_the_repeat_again_and_emits_again() -> None:
    sim = build(idempotent=False)

    sim.run()

    handled = records(sim, "handled", to="bank")
    ids = order_ids(sim)
    assert [r["message"]["id"] for r in handled] == [ids[0], ids[0], ids[1], ids[1], ids[2], ids[2]]
    assert [r.get("detail") for r in handled] == [None, {"duplicate": True}] * 3
    assert charges_emitted_for(sim) == dict.fromkeys(ids, 2)
    assert sim.messages == 9  # 3 orders + 6 CardCharged


def test_an_idempotent_consumer_handles_a_redelivery_after_a_failure_normally() -> None:
    sim = build(idempotent=True, duplicate_rate=0, count=1)
    sim.apply({"action": "fail_next", "node": "bank"})

    sim.run()

    assert len(records(sim, "failed")) == 1
    [handled] = records(sim, "handled")
    assert "detail" not in handled  # a failure is not remembered as done
    assert charges_emitted_for(sim) == {"m1": 1}


def test_without_duplicate_rate_every_message_is_delivered_once() -> None:
    sim = build(idempotent=False, duplicate_rate=0)

    sim.run()

    deliveries = records(sim, "hop", **{"from": "payments", "to": "bank"})
    assert [r["message"]["id"] for r in deliveries] == order_ids(sim)
    assert all("detail" not in r for r in deliveries)


def test_an_idempotent_consumer_that_can_fail_still_handles_each_message_once() -> None:
    sim = build(idempotent=True, count=10, failure_rate=0.5)

    sim.run()

    # whether the original or its copy got through first, the work is done once per message
    assert charges_emitted_for(sim) == dict.fromkeys(order_ids(sim), 1)
    assert records(sim, "failed"), "some handlings fail"
    skipped = [r for r in records(sim, "handled") if r.get("detail", {}).get("skipped")]
    assert skipped, "repeats of messages handled already are acknowledged"


# SplitMix64 can be run backwards: this seed's first draw is exactly 0.5
SEED_DRAWING_ONE_HALF = 3453682501520545093


def test_a_message_is_duplicated_only_when_the_draw_is_below_the_duplicate_rate() -> None:
    assert Rng(SEED_DRAWING_ONE_HALF).random() == 0.5
    topology = build(idempotent=False, duplicate_rate=0.5, count=1).topology

    at_the_rate = Simulation(topology, seed=SEED_DRAWING_ONE_HALF)
    at_the_rate.run()

    # a rate of p duplicates a fraction p of the draws in [0, 1): those below p, never p itself
    assert len(records(at_the_rate, "hop", **{"from": "payments", "to": "bank"})) == 1
