"""Narration: the one sentence per trace record that a learner reads in the log and a screen
reader speaks. The exact sentences are the contract, so the tests compare them word for word.

Nodes carry labels unlike their ids: a sentence names services and clients by their label, and
queues and topics by their id (the name a learner types in a topology).
"""

from __future__ import annotations

from typing import Any

from simulator.engine import Simulation, Topology, load_topology
from simulator.engine.narrate import narrate

Node = dict[str, Any]


def system(*nodes: Node, **fields: Any) -> Topology:
    return load_topology(
        {"schema": "msglab/topology@1", "name": "narration test", "nodes": list(nodes), **fields}
    )


def client(*sends: Node, node_id: str = "shop") -> Node:
    return {"id": node_id, "label": "Web Shop", "kind": "client", "sends": list(sends)}


def send(to: str, type_name: str = "PlaceOrder", kind: str = "command", **fields: Any) -> Node:
    return {"to": to, "message": {"type": type_name, "kind": kind}, **fields}


def service(node_id: str, label: str, handles: dict[str, Any], **fields: Any) -> Node:
    return {"id": node_id, "label": label, "kind": "service", "handles": handles, **fields}


def queue(node_id: str, **fields: Any) -> Node:
    return {"id": node_id, "label": f"{node_id} broker", "kind": "queue", **fields}


def topic(node_id: str) -> Node:
    return {"id": node_id, "label": f"{node_id} broker", "kind": "topic"}


def emit(to: str, type_name: str, kind: str = "event") -> Node:
    return {"type": type_name, "kind": kind, "to": to}


def told(sim: Simulation, *events: str) -> list[str]:
    """The run's trace in words, only the records of ``events`` if any are given."""
    return [narrate(sim.topology, r) for r in sim.trace() if not events or r["event"] in events]


def test_a_command_through_a_queue_is_sent_taken_and_handled() -> None:
    sim = Simulation(
        system(
            client(send("orders")),
            queue("orders"),
            service("sales", "Sales Service", {"PlaceOrder": {}}, consumes=["orders"]),
        )
    )
    sim.run()

    assert told(sim) == [
        "Web Shop sent PlaceOrder (command m1) to queue orders",
        "Sales Service took PlaceOrder (command m1) from queue orders",
        "Sales Service handled PlaceOrder (command m1)",
    ]


def test_a_publish_counts_the_subscribers_of_the_topic_in_words() -> None:
    sim = Simulation(
        system(
            client(
                send("one", "OrderPlaced", "event"),
                send("two", "OrderPlaced", "event", at_ms=100),
                send("none", "OrderPlaced", "event", at_ms=200),
            ),
            topic("one"),
            topic("two"),
            topic("none"),
            service("mail", "Mailer", {"OrderPlaced": {}}, subscribes=["one", "two"]),
            service("stats", "Statistics", {"OrderPlaced": {}}, subscribes=["two"]),
        )
    )
    sim.run()

    assert told(sim, "hop", "dropped") == [
        "Web Shop published OrderPlaced (event m1) to topic one → 1 subscriber",
        "Mailer received OrderPlaced (event m1) from topic one",
        "Web Shop published OrderPlaced (event m2) to topic two → 2 subscribers",
        "Mailer received OrderPlaced (event m2) from topic two",
        "Statistics received OrderPlaced (event m2) from topic two",
        "Web Shop published OrderPlaced (event m3) to topic none → 0 subscribers",
        "OrderPlaced (event m3) dropped: no subscribers: the message reaches nobody",
    ]


def test_a_direct_call_and_its_reply_name_both_ends() -> None:
    sim = Simulation(
        system(
            client(send("pricing", "GetPrice", "query")),
            service("pricing", "Pricing Service", {"GetPrice": {"reply": {"type": "Price"}}}),
        )
    )
    sim.run()

    assert told(sim) == [
        "Web Shop called Pricing Service directly with GetPrice (query m1)",
        "Pricing Service handled GetPrice (query m1)",
        "Web Shop got the reply Price (reply m2) from Pricing Service",
    ]


def test_a_service_that_receives_a_reply_is_said_to_receive_it() -> None:
    sim = Simulation(
        system(
            client(send("orders")),
            queue("orders"),
            service(
                "sales",
                "Sales Service",
                {"PlaceOrder": {"emit": [emit("pricing", "GetPrice", "query")]}},
                consumes=["orders"],
            ),
            service("pricing", "Pricing Service", {"GetPrice": {"reply": {"type": "Price"}}}),
        )
    )
    sim.run()

    assert told(sim)[3:] == [
        "Sales Service called Pricing Service directly with GetPrice (query m2)",
        "Pricing Service handled GetPrice (query m2)",
        "Sales Service got the reply Price (reply m3) from Pricing Service",
        "Sales Service received the reply Price (reply m3)",
    ]


def test_a_message_nobody_handles_is_dropped_with_the_reason() -> None:
    sim = Simulation(
        system(
            client(send("sales", "CancelOrder")),
            service("sales", "Sales Service", {"PlaceOrder": {}}),
        )
    )
    sim.run()

    assert told(sim) == [
        "Web Shop called Sales Service directly with CancelOrder (command m1)",
        "CancelOrder (command m1) dropped: Sales Service has no handler for CancelOrder",
    ]


def test_failed_deliveries_are_retried_then_dead_lettered() -> None:
    sim = Simulation(
        system(
            client(send("payments", "ChargeCard")),
            queue("payments", max_deliveries=2, dead_letter="payments.dlq"),
            queue("payments.dlq"),
            service("bank", "Bank", {"ChargeCard": {}}, consumes=["payments"], failure_rate=1),
        )
    )
    sim.run()

    assert told(sim) == [
        "Web Shop sent ChargeCard (command m1) to queue payments",
        "Bank took ChargeCard (command m1) from queue payments",
        "Bank failed ChargeCard (command m1): handler failed (failure rate 1)",
        "ChargeCard (command m1) goes back to queue payments for delivery 2",
        "ChargeCard (command m1) waits in queue payments, 1 waiting",
        "Bank took ChargeCard (command m1) from queue payments (attempt 2)",
        "Bank failed ChargeCard (command m1): handler failed (failure rate 1)",
        "ChargeCard (command m1) moved to dead-letter queue payments.dlq after 2 deliveries",
        "payments broker sent ChargeCard (command m1) to queue payments.dlq",
        "ChargeCard (command m1) waits in queue payments.dlq, 1 waiting",
    ]


def test_a_message_that_fails_every_delivery_without_a_dead_letter_queue_is_dropped() -> None:
    sim = Simulation(
        system(
            client(send("payments", "ChargeCard")),
            queue("payments", max_deliveries=1),
            service("bank", "Bank", {"ChargeCard": {}}, consumes=["payments"], failure_rate=0.5),
        )
    )
    sim.apply({"action": "fail_next", "node": "bank"})
    sim.run()

    assert told(sim, "failed", "dropped") == [
        "Bank failed ChargeCard (command m1): forced failure",
        "ChargeCard (command m1) dropped: failed 1 deliveries; payments has no dead-letter",
    ]


def test_a_message_for_a_service_that_is_down_waits_and_a_direct_call_to_it_fails() -> None:
    sim = Simulation(
        system(
            client(send("news", "OrderPlaced", "event"), send("mail", "OrderPlaced", "event")),
            topic("news"),
            service("mail", "Mailer", {"OrderPlaced": {}}, subscribes=["news"]),
        )
    )
    sim.apply({"action": "down", "node": "mail"})
    sim.run()

    assert told(sim) == [
        "Web Shop published OrderPlaced (event m1) to topic news → 1 subscriber",
        "Mailer failed OrderPlaced (event m2): Mailer is down: the synchronous call failed at once",
        "OrderPlaced (event m1) waits in Mailer, 1 waiting (Mailer is down)",
    ]


def sales_behind_a_queue() -> Simulation:
    """Two orders 1 ms apart; the first reaches Sales at 15 ms and is handled until 25 ms."""
    return Simulation(
        system(
            client(send("orders", count=2, every_ms=1)),
            queue("orders"),
            service(
                "sales", "Sales Service", {"PlaceOrder": {}}, consumes=["orders"], latency_ms=5
            ),
        )
    )


def test_what_a_service_was_handling_when_it_went_down_fails_and_goes_back_to_its_queue() -> None:
    sim = sales_behind_a_queue()
    sim.run(until_ms=18)
    sim.apply({"action": "down", "node": "sales"})
    sim.run()

    assert told(sim)[3:] == [
        "Sales Service took PlaceOrder (command m1) from queue orders",
        "Sales Service failed PlaceOrder (command m1): Sales Service went down while handling it",
        "PlaceOrder (command m1) goes back to queue orders for delivery 2",
        "PlaceOrder (command m1) waits in queue orders, 2 waiting",
    ]


def test_a_message_on_its_way_to_a_service_that_went_down_waits_in_its_queue_again() -> None:
    sim = sales_behind_a_queue()
    sim.run(until_ms=12)
    sim.apply({"action": "down", "node": "sales"})
    sim.run()

    assert told(sim) == [
        "Web Shop sent PlaceOrder (command m1) to queue orders",
        "Web Shop sent PlaceOrder (command m2) to queue orders",
        "PlaceOrder (command m2) waits in queue orders, 1 waiting",
        "PlaceOrder (command m1) waits in queue orders, 2 waiting"
        " (Sales Service is down: back to the queue)",
    ]


def charges(idempotent: bool) -> Simulation:
    """The broker delivers every charge twice (at-least-once delivery)."""
    return Simulation(
        system(
            client(send("charges", "ChargeCard")),
            queue("charges", duplicate_rate=1),
            service(
                "billing",
                "Billing",
                {"ChargeCard": {}},
                consumes=["charges"],
                idempotent=idempotent,
            ),
        )
    )


def test_a_duplicate_copy_and_its_delivery_are_named_as_duplicates() -> None:
    sim = charges(idempotent=False)
    sim.run()

    assert told(sim) == [
        "Web Shop sent ChargeCard (command m1) to queue charges",
        "A duplicate copy of ChargeCard (command m1) waits in queue charges, 1 waiting",
        "Billing took ChargeCard (command m1) from queue charges",
        "Billing handled ChargeCard (command m1)",
        "Billing took ChargeCard (command m1) from queue charges (a duplicate delivery)",
        "Billing handled ChargeCard (command m1) again: a duplicate",
    ]


def test_an_idempotent_service_is_said_to_skip_the_repeat() -> None:
    sim = charges(idempotent=True)
    sim.run()

    assert told(sim)[-1] == (
        "Billing recognised ChargeCard (command m1) as a repeat and skipped it (idempotent)"
    )


def test_a_redelivered_duplicate_is_named_with_its_attempt() -> None:
    sim = charges(idempotent=False)
    sim.run(until_ms=30)
    sim.apply({"action": "fail_next", "node": "billing", "type": "ChargeCard"})
    sim.run()

    assert told(sim)[4:] == [
        "Billing took ChargeCard (command m1) from queue charges (a duplicate delivery)",
        "Billing failed ChargeCard (command m1): forced failure",
        "ChargeCard (command m1) goes back to queue charges for delivery 2",
        "A duplicate copy of ChargeCard (command m1) waits in queue charges, 1 waiting",
        "Billing took ChargeCard (command m1) from queue charges (a duplicate delivery)"
        " (attempt 2)",
        "Billing handled ChargeCard (command m1) again: a duplicate",
    ]


def test_a_run_out_of_message_budget_says_it_halted_and_why() -> None:
    sim = Simulation(
        system(
            client(send("orders", count=3, every_ms=1)),
            queue("orders"),
            max_messages=2,
        )
    )
    sim.run()

    assert told(sim, "halted") == ["Run halted: the message budget of 2 is used up"]


def test_a_halted_loop_names_the_types_and_nodes_that_keep_causing_each_other() -> None:
    sim = Simulation(
        system(
            client(send("ping", "Ping")),
            service("ping", "Pinger", {"Ping": {"emit": [emit("pong", "Pong", "command")]}}),
            service("pong", "Ponger", {"Pong": {"emit": [emit("ping", "Ping", "command")]}}),
            max_messages=10,
        )
    )
    sim.run()

    assert told(sim, "halted") == [
        "Run halted: Ping, Pong keep causing each other through ping, pong"
    ]
