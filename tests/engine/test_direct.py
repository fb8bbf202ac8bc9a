"""Direct sends to a service: a synchronous request that needs its target up, and its reply."""

from __future__ import annotations

from typing import Any

from simulator.engine import Simulation, load_topology

Node = dict[str, Any]
Record = dict[str, Any]


def build(*nodes: Node) -> Simulation:
    return Simulation(
        load_topology({"schema": "msglab/topology@1", "name": "direct test", "nodes": list(nodes)})
    )


def caller(at_ms: float = 0) -> Node:
    message = {"type": "GetPrice", "kind": "query", "payload": {"sku": "tea"}}
    return {
        "id": "web",
        "kind": "client",
        "sends": [{"to": "pricing", "at_ms": at_ms, "message": message}],
    }


def pricing(**fields: Any) -> Node:
    handler = {"reply": {"type": "PriceQuoted", "payload": {"price": 3}}}
    return {"id": "pricing", "kind": "service", "handles": {"GetPrice": handler}, **fields}


def records(sim: Simulation, event: str, **match: Any) -> list[Record]:
    return [
        r for r in sim.trace() if r["event"] == event and all(r[k] == v for k, v in match.items())
    ]


def test_a_request_to_a_down_service_fails_at_once_from_sender_to_target() -> None:
    sim = build(caller(), pricing())
    sim.apply({"action": "down", "node": "pricing"})

    sim.run()

    trace = sim.trace()
    assert len(trace) == 1
    failed = trace[0]
    assert (failed["event"], failed["from"], failed["to"], failed["t"]) == (
        "failed",
        "web",
        "pricing",
        10,
    )
    assert failed["message"]["id"] == "m1"
    assert failed["detail"] == {"reason": "pricing is down: the synchronous call failed at once"}
    assert sim.state()["nodes"]["pricing"]["inbox"] == 0


def test_a_failed_request_is_never_delivered_after_the_service_comes_up() -> None:
    sim = build(caller(), pricing())
    sim.apply({"action": "down", "node": "pricing"})
    sim.run()
    seq = sim.seq

    sim.apply({"action": "up", "node": "pricing"})
    sim.run(until_ms=1000)

    assert sim.trace(seq + 1) == []
    assert records(sim, "handled") == []
    assert sim.finished


def test_a_reply_goes_back_to_the_calling_client_correlated_with_the_request() -> None:
    sim = build(caller(), pricing())

    sim.run()

    [reply] = records(sim, "hop", **{"from": "pricing", "to": "web"})
    message = reply["message"]
    assert message["type"] == "PriceQuoted"
    assert message["kind"] == "reply"
    assert message["id"] == "m2"
    assert message["correlation_id"] == "m1"
    assert message["causation_id"] == "m1"
    assert message["payload"] == {"sku": "tea", "price": 3}
    assert message["headers"]["source"] == "pricing"
    assert reply["t"] == 30  # 10 to pricing, 10 handling, 10 back


def test_a_reply_to_a_service_that_called_another_service_comes_back_to_that_service() -> None:
    checkout = {
        "id": "checkout",
        "kind": "service",
        "consumes": ["carts"],
        "handles": {"CheckOut": {"emit": [{"type": "GetPrice", "kind": "query", "to": "pricing"}]}},
    }
    shopper = {
        "id": "shopper",
        "kind": "client",
        "sends": [{"to": "carts", "message": {"type": "CheckOut", "kind": "command"}}],
    }
    sim = build(shopper, {"id": "carts", "kind": "queue"}, checkout, pricing())

    sim.run()

    [request] = records(sim, "handled", to="pricing")
    [reply] = records(sim, "handled", to="checkout", **{"from": "pricing"})
    assert request["message"]["id"] == "m2"
    assert reply["message"]["type"] == "PriceQuoted"
    assert reply["message"]["kind"] == "reply"
    assert reply["message"]["correlation_id"] == "m1"  # the conversation started with CheckOut
    assert reply["message"]["causation_id"] == "m2"  # caused by the request it answers
    assert reply["detail"] == {"reply": True}
    assert records(sim, "dropped") == []


def test_a_request_that_arrives_while_the_service_is_busy_waits_its_turn() -> None:
    sim = build(
        {
            "id": "web",
            "kind": "client",
            "sends": [
                {"to": "pricing", "at_ms": 0, "message": {"type": "GetPrice", "kind": "query"}},
                {"to": "pricing", "at_ms": 1, "message": {"type": "GetPrice", "kind": "query"}},
            ],
        },
        pricing(duration_ms=50),
    )

    sim.run()

    assert records(sim, "failed") == []
    handled = records(sim, "handled", to="pricing")
    assert [(r["message"]["id"], r["t"]) for r in handled] == [("m1", 60), ("m2", 110)]
    assert len(records(sim, "hop", **{"from": "pricing", "to": "web"})) == 2


def test_a_down_service_is_named_by_its_label_when_a_call_to_it_fails() -> None:
    sim = build(caller(), pricing(label="Pricing API"))
    sim.apply({"action": "down", "node": "pricing"})

    sim.run()

    [failed] = records(sim, "failed")
    assert failed["detail"] == {
        "reason": "Pricing API is down: the synchronous call failed at once"
    }


def test_a_direct_call_that_fails_ends_with_its_failed_record_without_an_attempt() -> None:
    sim = build(caller(), pricing(failure_rate=1.0))

    sim.run()

    assert [(r["event"], r["from"], r["to"]) for r in sim.trace()] == [
        ("hop", "web", "pricing"),
        ("failed", "web", "pricing"),
    ]
    # not from a queue: there are no deliveries to count, and nothing to retry or drop
    assert sim.trace()[-1]["detail"] == {"reason": "handler failed (failure rate 1)"}


def test_an_injected_call_that_fails_ends_with_its_failed_record_without_an_attempt() -> None:
    sim = build(caller(at_ms=1000), pricing())
    sim.apply({"action": "fail_next", "node": "pricing"})

    sim.apply(
        {
            "action": "inject",
            "from": "web",
            "to": "pricing",
            "message": {"type": "GetPrice", "kind": "query"},
        }
    )
    sim.run(until_ms=500)

    assert [(r["event"], r["from"], r["to"], r["t"]) for r in sim.trace()] == [
        ("hop", "web", "pricing", 10),
        ("failed", "web", "pricing", 20),
    ]
    assert sim.trace()[-1]["detail"] == {"reason": "forced failure"}


def test_a_call_from_a_service_that_fails_ends_with_its_failed_record_without_an_attempt() -> None:
    checkout = {
        "id": "checkout",
        "kind": "service",
        "consumes": ["carts"],
        "handles": {"CheckOut": {"emit": [{"type": "GetPrice", "kind": "query", "to": "pricing"}]}},
    }
    shopper = {
        "id": "shopper",
        "kind": "client",
        "sends": [{"to": "carts", "message": {"type": "CheckOut", "kind": "command"}}],
    }
    sim = build(shopper, {"id": "carts", "kind": "queue"}, checkout, pricing(failure_rate=1.0))

    sim.run()

    [failed] = records(sim, "failed")
    assert (failed["from"], failed["to"], failed["message"]["id"]) == ("checkout", "pricing", "m2")
    assert failed["detail"] == {"reason": "handler failed (failure rate 1)"}
    assert sim.trace()[-1] == failed  # the caller has its answer: no retry, no drop
