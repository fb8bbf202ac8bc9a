"""Flights: every message on its way, with where it left, where it goes and when it lands."""

from __future__ import annotations

from typing import Any

from simulator.engine import Simulation, load_topology
from simulator.scenarios import load_scenario


def order_flow() -> Simulation:
    return Simulation(load_scenario("order-flow").topology)


def step_until(sim: Simulation, event: str, to: str) -> list[dict[str, Any]]:
    while not sim.finished:
        records = sim.step()
        if any(r["event"] == event and r["to"] == to for r in records):
            return records
    raise AssertionError(f"no {event} to {to}")


def test_a_clients_send_is_a_flight_before_its_message_exists() -> None:
    sim = order_flow()

    (flight,) = sim.state()["in_flight"]

    assert flight["from"] == "gateway" and flight["to"] == "order.commands"
    assert (flight["departs_at"], flight["arrives_at"]) == (0, 10)
    # the envelope as far as it is known: ids and sent_at come when the client sends it
    assert flight["message"] == {
        "id": None,
        "type": "PlaceOrderCommand",
        "kind": "command",
        "correlation_id": None,
        "causation_id": None,
        "payload": {"orderId": "A123", "customerId": "C55", "totalAmount": 499.99},
        "headers": {"source": "gateway"},
        "sent_at": None,
    }


def test_a_published_event_leaves_the_topic_as_one_flight_per_subscriber() -> None:
    sim = order_flow()
    step_until(sim, "hop", "order.events")

    flights = sim.state()["in_flight"]

    assert {f["to"] for f in flights} == {"inventory", "billing", "notification"}
    assert {f["from"] for f in flights} == {"order.events"}
    assert {f["message"]["id"] for f in flights} == {"m2"}  # copies keep the message id
    assert len({f["flight"] for f in flights}) == 3
    assert all(f["message"]["causation_id"] == "m1" for f in flights)
    assert all(f["arrives_at"] - f["departs_at"] == 10 for f in flights)


def test_flights_names_only_the_ones_not_known_and_all_ids() -> None:
    sim = order_flow()
    step_until(sim, "hop", "order.events")
    everything, ids = sim.flights()

    fresh, same_ids = sim.flights(known={everything[0]["flight"]})

    assert same_ids == ids == {f["flight"] for f in everything}
    assert [f["flight"] for f in fresh] == [f["flight"] for f in everything[1:]]


def test_a_flight_leaves_the_list_when_its_message_lands() -> None:
    sim = order_flow()
    step_until(sim, "hop", "order.events")
    _, before = sim.flights()

    records = sim.step()

    _, after = sim.flights()
    assert records[0]["event"] == "hop" and records[0]["from"] == "order.events"
    assert len(before - after) == 1 and after < before


def test_going_back_restores_the_same_flights() -> None:
    sim = order_flow()
    step_until(sim, "hop", "order.events")
    earlier = sim.state()["in_flight"]

    sim.step()
    sim.back()

    assert sim.state()["in_flight"] == earlier


def test_handling_lists_the_message_a_service_is_busy_with() -> None:
    sim = order_flow()
    step_until(sim, "hop", "orders")

    (handling,) = sim.state()["handling"]

    assert handling == {
        "message": "m1",
        "type": "PlaceOrderCommand",
        "service": "orders",
        "done_at": 40,
    }


def test_flights_go_on_while_a_handling_that_ends_sooner_is_under_way() -> None:
    sim = Simulation(
        load_topology(
            {
                "schema": "msglab/topology@1",
                "name": "flights test",
                "nodes": [
                    {
                        "id": "shop",
                        "kind": "client",
                        "sends": [
                            {
                                "to": "orders",
                                "count": 2,
                                "every_ms": 100,
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
    sim.run(until_ms=25)  # m1 is handled from 20 to 30; the second order leaves at 100

    state = sim.state()

    assert [(h["message"], h["done_at"]) for h in state["handling"]] == [("m1", 30)]
    assert [(f["from"], f["to"], f["departs_at"], f["arrives_at"]) for f in state["in_flight"]] == [
        ("shop", "orders", 100, 110)
    ]
    assert sim.flights()[0] == state["in_flight"]
