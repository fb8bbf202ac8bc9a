"""Message cycles, found before a run: arrivals that can cause themselves again. A loop goes
round forever; a storm multiplies messages on every round. Each cycle is one warning, whose
sentence names its types and nodes; a run on it halts naming the same."""

from __future__ import annotations

from typing import Any

from simulator.engine import Lint, Simulation, Topology, load_topology

Node = dict[str, Any]

WHY = (
    "messages keep causing each other; a run halts at its budget, or as soon as a storm is detected"
)


def topology(*nodes: Node, **fields: Any) -> Topology:
    return load_topology(
        {"schema": "msglab/topology@1", "name": "cycle test", "nodes": list(nodes), **fields}
    )


def client(to: str, type_name: str, kind: str = "command") -> Node:
    return {
        "id": "start",
        "kind": "client",
        "sends": [{"to": to, "message": {"type": type_name, "kind": kind}}],
    }


def service(node_id: str, handles: dict[str, Any], **fields: Any) -> Node:
    return {"id": node_id, "kind": "service", "handles": handles, **fields}


def emits(*targets: tuple[str, str], kind: str = "command") -> dict[str, Any]:
    """A handler that sends one message of each (type, to)."""
    return {"emit": [{"type": t, "kind": kind, "to": to} for t, to in targets]}


LOOP = "can go round forever"
STORM = "multiply on every round (a storm)"


def warning(path: str, what: str, how: str) -> Lint:
    """The one warning for a cycle: where to look, then its types, nodes and what it does."""
    return Lint(path, "message-cycle", f"{what} {how}: {WHY}.")


def cycles(t: Topology) -> list[Lint]:
    return [w for w in t.warnings if w.code == "message-cycle"]


def halt_reason(t: Topology) -> str:
    sim = Simulation(t)
    sim.run()
    assert sim.halted is not None
    return str(sim.halted["reason"])


def test_a_ping_pong_through_two_queues_is_one_loop_named_in_node_order() -> None:
    t = topology(
        client("left.inbox", "Ping"),
        {"id": "left.inbox", "kind": "queue"},
        {"id": "right.inbox", "kind": "queue"},
        service("left", {"Ping": emits(("Pong", "right.inbox"))}, consumes=["left.inbox"]),
        service("right", {"Pong": emits(("Ping", "left.inbox"))}, consumes=["right.inbox"]),
        max_messages=50,
    )

    assert cycles(t) == [
        warning(
            "nodes[4].handles.Pong",
            "Ping, Pong through left.inbox → right.inbox → left → right",
            LOOP,
        )
    ]
    assert halt_reason(t) == "loop"


def test_two_subscribers_that_republish_what_they_hear_are_a_storm() -> None:
    echo = {"Echoed": emits(("Echoed", "square"), kind="event")}
    t = topology(
        client("square", "Echoed", "event"),
        {"id": "square", "kind": "topic"},
        service("alice", echo, subscribes=["square"]),
        service("bob", echo, subscribes=["square"]),
    )

    assert cycles(t) == [
        warning("nodes[3].handles.Echoed", "Echoed through square → alice → bob", STORM)
    ]
    assert halt_reason(t) == "storm"


def test_competing_consumers_that_requeue_their_work_are_a_loop_not_a_storm() -> None:
    again = {"Work": emits(("Work", "jobs"))}
    t = topology(
        client("jobs", "Work"),
        {"id": "jobs", "kind": "queue"},
        service("one", again, consumes=["jobs"]),
        service("two", again, consumes=["jobs"]),
        max_messages=50,
    )

    assert cycles(t) == [warning("nodes[3].handles.Work", "Work through jobs → one → two", LOOP)]
    assert halt_reason(t) == "loop"


def test_a_loop_that_a_message_enters_from_outside_is_found() -> None:
    t = topology(
        client("kick", "Start"),
        service("kick", {"Start": emits(("Ping", "ping"))}),
        service("ping", {"Ping": emits(("Pong", "pong"))}),
        service("pong", {"Pong": emits(("Ping", "ping"))}),
    )

    assert cycles(t) == [warning("nodes[3].handles.Pong", "Ping, Pong through ping → pong", LOOP)]


def test_a_loop_that_nothing_starts_yet_is_still_found() -> None:
    t = topology(
        client("greeter", "Greet"),
        service("greeter", {"Greet": emits(("Log", "log"))}),
        service("log", {"Log": {}}),
        service("ping", {"Ping": emits(("Pong", "pong"))}),
        service("pong", {"Pong": emits(("Ping", "ping"))}),
    )

    assert cycles(t) == [warning("nodes[4].handles.Pong", "Ping, Pong through ping → pong", LOOP)]


def test_two_paths_to_the_same_handler_are_not_a_cycle() -> None:
    t = topology(
        client("split", "Start"),
        service("split", {"Start": emits(("Count", "counter"), ("Relay", "relay"))}),
        service("relay", {"Relay": emits(("Count", "counter"))}),
        service("counter", {"Count": {}}),
    )

    assert cycles(t) == []


def test_queues_that_dead_letter_into_each_other_are_a_loop_reported_at_the_first() -> None:
    t = topology(
        client("a", "Pay"),
        {"id": "a", "kind": "queue", "dead_letter": "b"},
        {"id": "b", "kind": "queue", "dead_letter": "a"},
        service("payer", {"Pay": {}}, consumes=["a", "b"], failure_rate=1),
    )

    assert cycles(t) == [warning("nodes[1]", "Pay through a → b", LOOP)]
