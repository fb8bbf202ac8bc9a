"""Failures: retries from a queue, the dead-letter queue, compensation, forced failures, crashes."""

from __future__ import annotations

from typing import Any

from simulator.engine import Simulation, load_topology
from simulator.engine.rng import Rng

Node = dict[str, Any]
Record = dict[str, Any]


def build(*nodes: Node) -> Simulation:
    return Simulation(
        load_topology({"schema": "msglab/topology@1", "name": "failure test", "nodes": list(nodes)})
    )


def client(
    to: str = "payments",
    type_name: str = "ChargeCard",
    kind: str = "command",
    count: int = 1,
    every_ms: float = 100,
) -> Node:
    send: Node = {"to": to, "count": count, "message": {"type": type_name, "kind": kind}}
    if count > 1:
        send["every_ms"] = every_ms
    return {"id": "shop", "kind": "client", "sends": [send]}


def queue(node_id: str = "payments", **fields: Any) -> Node:
    return {"id": node_id, "kind": "queue", **fields}


def bank(handles: dict[str, Any] | None = None, **fields: Any) -> Node:
    return {
        "id": "bank",
        "kind": "service",
        "consumes": ["payments"],
        "handles": handles or {"ChargeCard": {}},
        **fields,
    }


def records(sim: Simulation, event: str, **match: Any) -> list[Record]:
    return [
        r for r in sim.trace() if r["event"] == event and all(r[k] == v for k, v in match.items())
    ]


def test_a_failing_message_is_redelivered_up_to_max_deliveries_then_dead_lettered() -> None:
    sim = build(
        client(),
        queue(max_deliveries=3, dead_letter="payments.dlq"),
        queue("payments.dlq", latency_ms=3),
        bank(failure_rate=1.0),
    )

    sim.run()

    deliveries = records(sim, "hop", **{"from": "payments", "to": "bank"})
    assert [r.get("detail") for r in deliveries] == [None, {"attempt": 2}, {"attempt": 3}]
    failed = records(sim, "failed", to="bank")
    assert [(r["from"], r["detail"]["attempt"]) for r in failed] == [
        ("payments", 1),
        ("payments", 2),
        ("payments", 3),
    ]
    assert all("failure rate" in r["detail"]["reason"] for r in failed)
    retries = records(sim, "retry")
    assert [(r["from"], r["to"], r["detail"]) for r in retries] == [
        ("bank", "payments", {"attempt": 2}),
        ("bank", "payments", {"attempt": 3}),
    ]
    [dead] = records(sim, "dead_lettered")
    assert (dead["from"], dead["to"], dead["detail"]) == (
        "payments",
        "payments.dlq",
        {"deliveries": 3},
    )
    [into_dlq] = records(sim, "hop", to="payments.dlq")
    assert into_dlq["from"] == "payments"
    assert into_dlq["message"]["id"] == "m1"
    assert into_dlq["t"] == dead["t"] + 3  # it travels to the dead-letter queue like any hop
    assert sim.state()["nodes"]["payments.dlq"]["depth"] == 1
    assert records(sim, "handled") == []


def test_each_failure_is_followed_by_a_retry_and_then_a_new_delivery() -> None:
    sim = build(client(), queue(max_deliveries=2), bank(failure_rate=1.0))

    sim.run()

    events = [(r["event"], r["from"], r["to"]) for r in sim.trace() if r["event"] != "waiting"]
    assert events == [
        ("hop", "shop", "payments"),
        ("hop", "payments", "bank"),
        ("failed", "payments", "bank"),
        ("retry", "bank", "payments"),
        ("hop", "payments", "bank"),
        ("failed", "payments", "bank"),
        ("dropped", "payments", None),
    ]


def test_with_no_dead_letter_queue_a_message_that_keeps_failing_is_dropped() -> None:
    sim = build(client(), queue(max_deliveries=2), bank(failure_rate=1.0))

    sim.run()

    assert len(records(sim, "failed")) == 2
    assert records(sim, "dead_lettered") == []
    [dropped] = records(sim, "dropped")
    assert dropped["from"] == "payments"
    assert dropped["to"] is None
    assert dropped["message"]["id"] == "m1"
    assert dropped["detail"] == {"reason": "failed 2 deliveries; payments has no dead-letter"}


def test_max_deliveries_of_one_means_no_retry() -> None:
    sim = build(
        client(),
        queue(max_deliveries=1, dead_letter="payments.dlq"),
        queue("payments.dlq"),
        bank(failure_rate=1.0),
    )

    sim.run()

    assert len(records(sim, "failed")) == 1
    assert records(sim, "retry") == []
    assert records(sim, "dead_lettered")[0]["detail"] == {"deliveries": 1}


def test_the_default_max_deliveries_is_five() -> None:
    sim = build(client(), queue(), bank(failure_rate=1.0))

    sim.run()

    assert len(records(sim, "hop", **{"from": "payments", "to": "bank"})) == 5
    assert len(records(sim, "failed")) == 5


def test_a_failed_handling_emits_its_compensation_message() -> None:
    handles = {
        "ChargeCard": {
            "failure_rate": 1.0,
            "emit": [{"type": "CardCharged", "kind": "event", "to": "news"}],
            "on_failure": {
                "emit": [
                    {
                        "type": "PaymentFailed",
                        "kind": "event",
                        "to": "news",
                        "payload": {"why": "declined"},
                    }
                ]
            },
        }
    }
    sim = build(client(), queue(max_deliveries=2), bank(handles), {"id": "news", "kind": "topic"})

    sim.run()

    published = records(sim, "hop", to="news")
    assert [r["message"]["type"] for r in published] == [
        "PaymentFailed",
        "PaymentFailed",
    ]  # once per failure, never CardCharged
    for r in published:
        assert r["from"] == "bank"
        assert r["message"]["causation_id"] == "m1"
        assert r["message"]["correlation_id"] == "m1"
        assert r["message"]["payload"] == {"why": "declined"}
    assert len({r["message"]["id"] for r in published}) == 2


def test_a_handlers_failure_rate_overrides_its_services() -> None:
    sim = build(client(), queue(), bank({"ChargeCard": {"failure_rate": 0}}, failure_rate=1.0))

    sim.run()

    assert records(sim, "failed") == []
    assert len(records(sim, "handled")) == 1


def test_a_failure_outside_a_queue_loses_the_message() -> None:
    subscriber = {
        "id": "bank",
        "kind": "service",
        "subscribes": ["news"],
        "handles": {"OrderPlaced": {}},
        "failure_rate": 1.0,
    }
    sim = build(client("news", "OrderPlaced", "event"), {"id": "news", "kind": "topic"}, subscriber)

    sim.run()

    [failed] = records(sim, "failed")
    assert (failed["from"], failed["to"]) == ("news", "bank")
    assert failed["detail"] == {"reason": "handler failed (failure rate 1)"}  # no deliveries
    [dropped] = records(sim, "dropped")
    assert dropped["from"] == "bank"
    assert dropped["to"] is None
    assert dropped["message"]["id"] == "m1"
    assert dropped["detail"] == {"reason": "no queue to redeliver it from: the message is lost"}
    assert records(sim, "retry") == []


def test_fail_next_forces_exactly_one_failure() -> None:
    sim = build(client(count=3), queue(), bank())
    sim.apply({"action": "fail_next", "node": "bank"})

    sim.run()

    [failed] = records(sim, "failed")
    assert failed["message"]["id"] == "m1"
    assert failed["detail"] == {"reason": "forced failure", "attempt": 1}
    handled = records(sim, "handled")
    assert [r["message"]["id"] for r in handled] == ["m1", "m2", "m3"]  # m1 on its retry


def test_fail_next_of_a_type_fails_only_the_next_message_of_that_type() -> None:
    shop = {
        "id": "shop",
        "kind": "client",
        "sends": [
            {"to": "payments", "at_ms": 0, "message": {"type": "ChargeCard", "kind": "command"}},
            {"to": "payments", "at_ms": 100, "message": {"type": "RefundCard", "kind": "command"}},
            {"to": "payments", "at_ms": 200, "message": {"type": "RefundCard", "kind": "command"}},
        ],
    }
    sim = build(shop, queue(), bank({"ChargeCard": {}, "RefundCard": {}}))
    sim.apply({"action": "fail_next", "node": "bank", "type": "RefundCard"})

    sim.run()

    assert [(r["message"]["id"], r["message"]["type"]) for r in records(sim, "failed")] == [
        ("m2", "RefundCard")
    ]
    assert sorted(r["message"]["id"] for r in records(sim, "handled")) == ["m1", "m2", "m3"]


def test_fail_next_twice_forces_two_failures() -> None:
    sim = build(client(count=3), queue(), bank())
    sim.apply({"action": "fail_next", "node": "bank"})
    sim.apply({"action": "fail_next", "node": "bank"})

    sim.run()

    assert [r["detail"]["attempt"] for r in records(sim, "failed")] == [1, 2]
    assert len(records(sim, "handled")) == 3


def test_taking_a_service_down_while_it_handles_a_message_makes_that_handling_fail() -> None:
    handles = {
        "ChargeCard": {
            "duration_ms": 100,
            "on_failure": {"emit": [{"type": "PaymentFailed", "kind": "event", "to": "news"}]},
        }
    }
    sim = build(client(), queue(), bank(handles), {"id": "news", "kind": "topic"})
    sim.run(until_ms=50)  # handling from 20 to 120
    assert sim.state()["handling"] == [
        {"message": "m1", "type": "ChargeCard", "service": "bank", "done_at": 120}
    ]

    sim.apply({"action": "down", "node": "bank"})
    sim.run()

    [failed] = records(sim, "failed")
    assert (failed["from"], failed["to"], failed["t"]) == ("payments", "bank", 120)
    assert failed["detail"] == {"reason": "bank went down while handling it", "attempt": 1}
    assert records(sim, "hop", to="news") == []  # a crash runs no compensation
    assert records(sim, "handled") == []
    assert sim.state()["nodes"]["payments"]["depth"] == 1  # back in the queue, waiting for bank

    sim.apply({"action": "up", "node": "bank"})
    sim.run()

    [handled] = records(sim, "handled")
    assert handled["message"]["id"] == "m1"
    assert records(sim, "hop", **{"from": "payments", "to": "bank"})[-1]["detail"] == {"attempt": 2}


def test_a_service_that_restarts_while_handling_a_message_still_loses_that_handling() -> None:
    sim = build(client(), queue(), bank({"ChargeCard": {"duration_ms": 100}}))
    sim.run(until_ms=50)  # handling from 20 to 120

    sim.apply({"action": "down", "node": "bank"})
    sim.run(until_ms=60)
    sim.apply({"action": "up", "node": "bank"})
    sim.run()

    failed = records(sim, "failed")
    assert len(failed) == 1, "the crash at 50 ms must fail the handling that was in progress"
    assert "went down" in failed[0]["detail"]["reason"]
    [handled] = records(sim, "handled")
    assert handled["message"]["id"] == "m1"
    assert records(sim, "hop", **{"from": "payments", "to": "bank"})[-1]["detail"] == {"attempt": 2}


def test_a_forced_failure_runs_the_handlers_compensation() -> None:
    handles = {
        "ChargeCard": {
            "emit": [{"type": "CardCharged", "kind": "event", "to": "news"}],
            "on_failure": {"emit": [{"type": "PaymentFailed", "kind": "event", "to": "news"}]},
        }
    }
    sim = build(client(), queue(), bank(handles), {"id": "news", "kind": "topic"})
    sim.apply({"action": "fail_next", "node": "bank"})

    sim.run()

    # the failure, then the retry that succeeds: a forced failure is not a crash
    assert [r["message"]["type"] for r in records(sim, "hop", to="news")] == [
        "PaymentFailed",
        "CardCharged",
    ]


def test_a_handling_that_survives_its_failure_rate_is_a_plain_handled_record() -> None:
    sim = build(client(count=20, every_ms=50), queue(), bank(failure_rate=0.5))

    sim.run()

    failed, handled = records(sim, "failed"), records(sim, "handled")
    assert failed and handled
    assert all("detail" not in r for r in handled)
    assert all(r["detail"]["reason"] == "handler failed (failure rate 0.5)" for r in failed)


# SplitMix64 can be run backwards: this seed's first draw is exactly 0.5
SEED_DRAWING_ONE_HALF = 3453682501520545093


def test_a_handling_fails_only_when_the_draw_is_below_the_failure_rate() -> None:
    assert Rng(SEED_DRAWING_ONE_HALF).random() == 0.5
    topology = build(client(), queue(), bank(failure_rate=0.5)).topology

    at_the_rate = Simulation(topology, seed=SEED_DRAWING_ONE_HALF)
    at_the_rate.run()

    # a rate of p fails a fraction p of the draws in [0, 1): those below p, never p itself
    assert records(at_the_rate, "failed") == []
    assert len(records(at_the_rate, "handled")) == 1
