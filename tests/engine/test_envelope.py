"""The envelope: ids, correlation and causation, payload and headers of every message."""

from __future__ import annotations

from typing import Any

from simulator.engine import Simulation, load_topology

Node = dict[str, Any]
Record = dict[str, Any]


def build(*nodes: Node) -> Simulation:
    return Simulation(
        load_topology(
            {"schema": "msglab/topology@1", "name": "envelope test", "nodes": list(nodes)}
        )
    )


def service(
    node_id: str,
    handles: dict[str, Any],
    consumes: tuple[str, ...] = (),
    subscribes: tuple[str, ...] = (),
) -> Node:
    return {
        "id": node_id,
        "kind": "service",
        "consumes": list(consumes),
        "subscribes": list(subscribes),
        "handles": handles,
    }


def emit(type_name: str, kind: str, to: str, **extra: Any) -> dict[str, Any]:
    return {"type": type_name, "kind": kind, "to": to, **extra}


def order_flow() -> Simulation:
    """shop -PlaceOrder-> orders -> sales -OrderPlaced-> order.events -> billing, shipping;
    billing -ChargeCard-> payments -> bank."""
    shop = {
        "id": "shop",
        "kind": "client",
        "sends": [
            {
                "to": "orders",
                "at_ms": 5,
                "message": {
                    "type": "PlaceOrder",
                    "kind": "command",
                    "payload": {"orderId": 7, "step": 1},
                    "headers": {"tenant": "acme"},
                },
            }
        ],
    }
    return build(
        shop,
        {"id": "orders", "kind": "queue"},
        {"id": "order.events", "kind": "topic"},
        {"id": "payments", "kind": "queue"},
        service(
            "sales",
            {
                "PlaceOrder": {
                    "emit": [
                        emit(
                            "OrderPlaced",
                            "event",
                            "order.events",
                            payload={"step": 2},
                            headers={"trace": "on"},
                        )
                    ]
                }
            },
            consumes=("orders",),
        ),
        service(
            "billing",
            {
                "OrderPlaced": {
                    "emit": [emit("ChargeCard", "command", "payments", payload={"amount": 12})]
                }
            },
            subscribes=("order.events",),
        ),
        service("shipping", {"OrderPlaced": {}}, subscribes=("order.events",)),
        service("bank", {"ChargeCard": {}}, consumes=("payments",)),
    )


def messages(trace: list[Record]) -> dict[str, dict[str, Any]]:
    """Each message by id, as first seen; every sighting of an id must show the same envelope."""
    seen: dict[str, dict[str, Any]] = {}
    for r in trace:
        if r["message"] is not None:
            assert seen.setdefault(r["message"]["id"], r["message"]) == r["message"]
    return seen


def test_every_message_has_its_own_id_and_topic_copies_share_theirs() -> None:
    sim = order_flow()
    sim.run()

    by_id = messages(sim.trace())
    assert list(by_id) == ["m1", "m2", "m3"]
    assert [m["type"] for m in by_id.values()] == ["PlaceOrder", "OrderPlaced", "ChargeCard"]
    assert sim.messages == 3
    copies = [
        r for r in sim.trace() if r["event"] == "handled" and r["message"]["type"] == "OrderPlaced"
    ]
    assert sorted(r["to"] for r in copies) == ["billing", "shipping"]
    assert {r["message"]["id"] for r in copies} == {"m2"}


def test_the_correlation_id_is_the_root_message_id_and_causation_is_the_parent() -> None:
    sim = order_flow()
    sim.run()

    by_id = messages(sim.trace())
    assert {m["correlation_id"] for m in by_id.values()} == {"m1"}
    assert [m["causation_id"] for m in by_id.values()] == [None, "m1", "m2"]
    assert [m["kind"] for m in by_id.values()] == ["command", "event", "command"]


def test_each_client_send_starts_its_own_conversation() -> None:
    shop = {
        "id": "shop",
        "kind": "client",
        "sends": [
            {
                "to": "orders",
                "count": 3,
                "every_ms": 100,
                "message": {"type": "PlaceOrder", "kind": "command"},
            }
        ],
    }
    sim = build(
        shop,
        {"id": "orders", "kind": "queue"},
        service(
            "sales",
            {"PlaceOrder": {"emit": [emit("OrderAccepted", "event", "news")]}},
            consumes=("orders",),
        ),
        {"id": "news", "kind": "topic"},
    )
    sim.run()

    by_id = messages(sim.trace())
    roots = [m for m in by_id.values() if m["type"] == "PlaceOrder"]
    assert [(m["id"], m["correlation_id"], m["causation_id"]) for m in roots] == [
        ("m1", "m1", None),
        ("m3", "m3", None),
        ("m5", "m5", None),
    ]
    children = [m for m in by_id.values() if m["type"] == "OrderAccepted"]
    assert [(m["correlation_id"], m["causation_id"]) for m in children] == [
        ("m1", "m1"),
        ("m3", "m3"),
        ("m5", "m5"),
    ]


def test_the_payload_flows_on_updated_with_each_emits_own_payload() -> None:
    sim = order_flow()
    sim.run()

    by_id = messages(sim.trace())
    assert by_id["m1"]["payload"] == {"orderId": 7, "step": 1}
    assert by_id["m2"]["payload"] == {"orderId": 7, "step": 2}  # the emit's value wins
    assert by_id["m3"]["payload"] == {"orderId": 7, "step": 2, "amount": 12}


def test_headers_name_the_source_node_beside_the_senders_own_headers() -> None:
    sim = order_flow()
    sim.run()

    by_id = messages(sim.trace())
    assert by_id["m1"]["headers"] == {"source": "shop", "tenant": "acme"}
    assert by_id["m2"]["headers"] == {"source": "sales", "trace": "on"}
    assert by_id["m3"]["headers"] == {"source": "billing"}


def test_sent_at_is_when_the_client_sent_it_or_when_the_handling_ended() -> None:
    sim = order_flow()
    sim.run()

    by_id = messages(sim.trace())
    first_hop = sim.trace()[0]
    assert (first_hop["event"], first_hop["from"], first_hop["to"], first_hop["t"]) == (
        "hop",
        "shop",
        "orders",
        15,
    )
    assert by_id["m1"]["sent_at"] == 5
    assert by_id["m2"]["sent_at"] == 35  # 5 + 10 to the queue + 10 to sales + 10 handling
    handled_m2 = [r for r in sim.trace() if r["event"] == "handled" and r["to"] == "billing"]
    assert by_id["m3"]["sent_at"] == handled_m2[0]["t"]


def test_an_injected_message_starts_its_own_conversation_sent_now_by_its_client() -> None:
    sim = order_flow()
    sim.run(until_ms=100)

    sim.apply(
        {
            "action": "inject",
            "from": "shop",
            "to": "orders",
            "message": {
                "type": "PlaceOrder",
                "kind": "command",
                "payload": {"orderId": 8},
                "headers": {"tenant": "globex"},
            },
        }
    )
    sim.run()

    assert messages(sim.trace())["m4"] == {
        "id": "m4",
        "type": "PlaceOrder",
        "kind": "command",
        "correlation_id": "m4",
        "causation_id": None,
        "payload": {"orderId": 8},
        "headers": {"source": "shop", "tenant": "globex"},
        "sent_at": 100,
    }
    arrival = next(r for r in sim.trace() if r["message"] and r["message"]["id"] == "m4")
    assert (arrival["from"], arrival["to"], arrival["t"]) == ("shop", "orders", 110)


def test_each_repeat_of_a_send_is_sent_every_ms_after_the_one_before() -> None:
    shop = {
        "id": "shop",
        "kind": "client",
        "sends": [
            {
                "to": "news",
                "at_ms": 5,
                "count": 3,
                "every_ms": 40,
                "message": {"type": "PriceChanged", "kind": "event"},
            }
        ],
    }
    sim = build(shop, {"id": "news", "kind": "topic"})

    sim.run()

    hops = [r for r in sim.trace() if r["event"] == "hop"]
    assert [(r["message"]["id"], r["message"]["sent_at"], r["t"]) for r in hops] == [
        ("m1", 5, 15),
        ("m2", 45, 55),
        ("m3", 85, 95),
    ]
