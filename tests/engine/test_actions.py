"""Control actions: refused naming the field at fault and changing nothing, or applied."""

from __future__ import annotations

import json
from typing import Any

import pytest

from simulator.engine import Action, ActionError, Simulation, load_topology
from simulator.engine.actions import parse_action
from simulator.engine.spec import MessageSpec


def shop_sim() -> Simulation:
    return Simulation(
        load_topology(
            {
                "schema": "msglab/topology@1",
                "name": "actions test",
                "nodes": [
                    {
                        "id": "shop",
                        "kind": "client",
                        "sends": [
                            {
                                "to": "orders",
                                "count": 5,
                                "every_ms": 20,
                                "message": {"type": "PlaceOrder", "kind": "command"},
                            }
                        ],
                    },
                    {"id": "orders", "kind": "queue"},
                    {"id": "news", "kind": "topic"},
                    {
                        "id": "sales",
                        "kind": "service",
                        "consumes": ["orders"],
                        "handles": {
                            "PlaceOrder": {
                                "emit": [{"type": "OrderPlaced", "kind": "event", "to": "news"}]
                            },
                            "CancelOrder": {},
                        },
                    },
                    {
                        "id": "billing",
                        "kind": "service",
                        "subscribes": ["news"],
                        "handles": {"OrderPlaced": {}},
                    },
                    {"id": "archive", "kind": "service"},
                ],
            }
        )
    )


def snapshot(sim: Simulation) -> str:
    return json.dumps(
        {"seq": sim.seq, "steps": sim.steps, "state": sim.state(), "trace": sim.trace()},
        sort_keys=True,
    )


def records(sim: Simulation, event: str, **match: Any) -> list[dict[str, Any]]:
    return [
        r for r in sim.trace() if r["event"] == event and all(r[k] == v for k, v in match.items())
    ]


ORDER = {"type": "PlaceOrder", "kind": "command"}

BAD_KIND = {"type": "PlaceOrder", "kind": "banana"}
BAD_TYPE = {"type": "9Lives", "kind": "command"}
ANY_KIND = "Input should be 'command', 'event', 'query', 'reply' or 'document'"
TYPE_RULE = "String should match pattern '^[A-Za-z][A-Za-z0-9_.]*$'"


def inject(frm: str = "shop", to: str = "orders", **fields: Any) -> dict[str, Any]:
    return {"action": "inject", "from": frm, "to": to, **fields}


# each refusal: the action, the field at fault, and the whole sentence a person reads (the
# field, then the rule it broke): the wording is the contract
REFUSED = [
    pytest.param(
        {"action": "explode", "node": "sales"},
        "action",
        "action: must be one of down, up, fail_next, inject, subscribe",
        id="unknown action",
    ),
    pytest.param(
        {"node": "sales"},
        "action",
        "action: must be one of down, up, fail_next, inject, subscribe",
        id="missing action",
    ),
    pytest.param("down", "action", "action: an action must be a JSON object", id="not an object"),
    pytest.param(
        {"action": "down", "node": "warehouse"},
        "node",
        "node: unknown node 'warehouse'",
        id="unknown node",
    ),
    pytest.param({"action": "down"}, "node", "node: must be a node id", id="missing node"),
    pytest.param(
        {"action": "down", "node": 7},
        "node",
        "node: must be a node id",
        id="a node id not a string",
    ),
    pytest.param(
        {"action": "down", "node": "orders"},
        "node",
        "node: 'orders' is a queue; expected a service",
        id="a queue cannot go down",
    ),
    pytest.param(
        {"action": "up", "node": "shop"},
        "node",
        "node: 'shop' is a client; expected a service",
        id="a client cannot come up",
    ),
    pytest.param(
        {"action": "down", "node": "sales", "when": 3},
        "when",
        "when: unknown field for 'down'",
        id="unknown field",
    ),
    pytest.param(
        {"action": "down", "node": "sales", "type": "PlaceOrder"},
        "type",
        "type: unknown field for 'down'",
        id="only fail_next takes a type",
    ),
    pytest.param(
        {"action": "fail_next", "node": "news"},
        "node",
        "node: 'news' is a topic; expected a service",
        id="fail_next on a topic",
    ),
    pytest.param(
        {"action": "fail_next", "node": "sales", "type": "RefundOrder"},
        "type",
        "type: 'sales' handles PlaceOrder, CancelOrder",
        id="fail_next of an unhandled type",
    ),
    pytest.param(
        {"action": "fail_next", "node": "sales", "type": 7},
        "type",
        "type: 'sales' handles PlaceOrder, CancelOrder",
        id="fail_next of a non-string type",
    ),
    pytest.param(
        {"action": "fail_next", "node": "archive", "type": "PlaceOrder"},
        "type",
        "type: 'archive' handles nothing",
        id="fail_next of a service without handlers",
    ),
    pytest.param(
        inject("sales", message=ORDER),
        "from",
        "from: 'sales' is a service; expected a client",
        id="inject from a service",
    ),
    pytest.param(
        inject("nobody", message=ORDER),
        "from",
        "from: unknown node 'nobody'",
        id="inject from an unknown node",
    ),
    pytest.param(
        inject(to="shop", message=ORDER),
        "to",
        "to: 'shop' is a client; expected a queue, topic or service",
        id="inject to a client",
    ),
    pytest.param(
        inject(message=ORDER, delay=5),
        "delay",
        "delay: unknown field for 'inject'",
        id="inject with an unknown field",
    ),
    pytest.param(
        inject(),
        "message",
        "message: Input should be a valid dictionary or instance of MessageSpec",
        id="inject without a message",
    ),
    pytest.param(
        inject(message=BAD_KIND),
        "message.kind",
        f"message.kind: {ANY_KIND}",
        id="inject with a bad kind",
    ),
    pytest.param(
        inject(message=BAD_TYPE),
        "message.type",
        f"message.type: {TYPE_RULE}",
        id="inject with a bad type",
    ),
]


@pytest.mark.parametrize(("action", "field", "error"), REFUSED)
def test_an_invalid_action_is_refused_naming_the_field_and_changes_nothing(
    action: Any, field: str, error: str
) -> None:
    sim = shop_sim()
    sim.run(until_ms=45)
    before = snapshot(sim)

    with pytest.raises(ActionError) as caught:
        sim.apply(action)

    assert caught.value.field == field
    assert str(caught.value) == error
    assert caught.value.message == error.removeprefix(f"{field}: ")
    assert snapshot(sim) == before
    sim.run()
    fresh = shop_sim()
    fresh.run()
    assert sim.trace() == fresh.trace()  # nothing was logged to be replayed either


def test_a_valid_action_is_parsed_into_the_action_it_names() -> None:
    topology = shop_sim().topology
    at = topology.index

    assert parse_action(topology, {"action": "down", "node": "sales"}) == Action(
        "down", at["sales"]
    )
    assert parse_action(topology, {"action": "up", "node": "sales"}) == Action("up", at["sales"])
    assert parse_action(
        topology, {"action": "fail_next", "node": "sales", "type": "CancelOrder"}
    ) == Action("fail_next", at["sales"], "CancelOrder")
    assert parse_action(topology, inject(to="news", message=ORDER)) == Action(
        "inject", at["shop"], to=at["news"], message=MessageSpec(type="PlaceOrder", kind="command")
    )


def test_inject_from_a_client_starts_a_new_message_flow() -> None:
    sim = shop_sim()
    sim.run(until_ms=200)
    assert sim.finished
    messages = sim.messages

    sim.apply(
        {
            "action": "inject",
            "from": "shop",
            "to": "orders",
            "message": {
                "type": "PlaceOrder",
                "kind": "command",
                "payload": {"rush": True},
                "headers": {"by": "teacher"},
            },
        }
    )
    assert not sim.finished
    sim.run()

    new_id = f"m{messages + 1}"
    flow = [
        r
        for r in sim.trace()
        if r["message"] is not None and r["message"]["correlation_id"] == new_id
    ]
    assert [(r["event"], r["from"], r["to"]) for r in flow] == [
        ("hop", "shop", "orders"),
        ("hop", "orders", "sales"),
        ("handled", "orders", "sales"),
        ("hop", "sales", "news"),
        ("hop", "news", "billing"),
        ("handled", "news", "billing"),
    ]
    injected = flow[0]["message"]
    assert injected["id"] == new_id
    assert injected["causation_id"] is None
    assert injected["sent_at"] == 200
    assert injected["payload"] == {"rush": True}
    assert injected["headers"] == {"source": "shop", "by": "teacher"}
    assert flow[0]["t"] == 210
    assert flow[-1]["message"]["payload"] == {"rush": True}
    assert sim.messages == messages + 2


def test_inject_straight_to_a_service_is_a_synchronous_request() -> None:
    sim = shop_sim()
    sim.apply({"action": "down", "node": "sales"})

    sim.apply({"action": "inject", "from": "shop", "to": "sales", "message": ORDER})
    sim.run(until_ms=10)

    [failed] = records(sim, "failed")
    assert (failed["from"], failed["to"], failed["message"]["id"]) == ("shop", "sales", "m1")


def test_down_and_up_change_the_status_of_a_service() -> None:
    sim = shop_sim()

    assert sim.apply({"action": "down", "node": "billing"}) == []
    assert sim.state()["nodes"]["billing"]["status"] == "down"
    sim.apply({"action": "down", "node": "billing"})  # twice is harmless
    assert sim.state()["nodes"]["billing"]["status"] == "down"
    sim.apply({"action": "up", "node": "billing"})
    sim.apply({"action": "up", "node": "billing"})
    assert sim.state()["nodes"]["billing"]["status"] == "up"
    sim.run()
    assert len(records(sim, "handled", to="billing")) == 5


def test_actions_apply_at_the_current_moment_of_the_run() -> None:
    sim = shop_sim()
    sim.run(until_ms=45)
    sim.apply({"action": "down", "node": "sales"})
    sim.run()

    assert [r["t"] for r in records(sim, "handled", to="sales")] == [30]
    [failed] = records(sim, "failed", to="sales")  # the order sales was handling when it went down
    assert failed["t"] == 50
    assert sim.state()["nodes"]["orders"]["depth"] == 4  # that one back in the queue, plus 3 more
