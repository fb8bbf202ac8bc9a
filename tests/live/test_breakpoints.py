"""Breakpoints over /ws/sim/: Play pauses exactly where a message of a type arrives at a node."""

from __future__ import annotations

from typing import Any

import pytest
from channels.testing import WebsocketCommunicator

from simulator.engine import Simulation
from simulator.scenarios import load_scenario
from tests.live.viewers import ManualClock, ask, fingerprint, open_run, run_of

pytestmark = pytest.mark.asyncio

INVENTORY = {"action": "breakpoint", "type": "OrderCreatedEvent", "node": "inventory"}


def arrivals_at(slug: str, type_name: str, node: str) -> list[tuple[int, int]]:
    """(the matching hop's seq, the seq at the end of its step) for each, from the engine."""
    sim = Simulation(load_scenario(slug).topology)
    found = []
    while not sim.finished:
        for record in sim.step():
            if (
                record["event"] == "hop"
                and record["to"] == node
                and record["message"]["type"] == type_name
            ):
                found.append((record["seq"], sim.seq))
    return found


async def play_until_paused(
    viewer: WebsocketCommunicator, clock: ManualClock
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Play, move the clock far ahead, and collect records until the run stops playing."""
    assert (await ask(viewer, {"action": "play"}))["playing"] is True
    clock.advance(3600)
    records: list[dict[str, Any]] = []
    while True:
        frame = await viewer.receive_json_from(timeout=5)
        if frame["type"] == "hops":
            records += frame["items"]
        elif frame["type"] == "state" and not frame["playing"]:
            return records, frame


async def test_play_pauses_at_the_end_of_the_step_where_the_type_arrives_at_the_node(
    clock: ManualClock,
) -> None:
    (hit_seq, step_end), *_ = arrivals_at("order-flow", "OrderCreatedEvent", "inventory")
    viewer, _ = await open_run()
    answer = await ask(viewer, INVENTORY)
    items = [{"type": "OrderCreatedEvent", "node": "inventory"}]
    assert answer == {"type": "breakpoints", "seq": 0, "items": items}
    records, state = await play_until_paused(viewer, clock)
    assert state["hit"]["seq"] == hit_seq
    assert state["hit"]["node"] == "inventory"
    assert state["hit"]["type"] == "OrderCreatedEvent"
    assert state["finished"] is False
    assert [r["seq"] for r in records] == list(range(1, step_end + 1))
    assert records[hit_seq - 1]["message"]["id"] == state["hit"]["message"]
    assert (await ask(viewer, {"action": "resync"}))["seq"] == step_end
    await viewer.disconnect()


async def test_a_run_that_has_stepped_first_still_pauses_at_the_end_of_the_hits_step(
    clock: ManualClock,
) -> None:
    (hit_seq, step_end), *_ = arrivals_at("order-flow", "OrderCreatedEvent", "inventory")
    viewer, _ = await open_run()
    stepped = 0
    for _ in range(2):
        stepped = (await ask(viewer, {"action": "step"}))["seq"]
    assert 0 < stepped < hit_seq
    await ask(viewer, INVENTORY)
    records, state = await play_until_paused(viewer, clock)
    assert state["hit"]["seq"] == hit_seq
    assert [r["seq"] for r in records] == list(range(stepped + 1, step_end + 1))
    await viewer.disconnect()


async def test_playing_on_from_a_breakpoint_does_not_stop_at_the_same_record_again(
    clock: ManualClock,
) -> None:
    hits = arrivals_at("order-flow", "OrderCreatedEvent", "inventory")
    viewer, _ = await open_run()
    await ask(viewer, INVENTORY)
    _, first = await play_until_paused(viewer, clock)
    _, second = await play_until_paused(viewer, clock)
    if len(hits) > 1:
        assert second["hit"]["seq"] == hits[1][0]
    else:
        assert "hit" not in second
        assert second["finished"] is True
    assert first["hit"]["seq"] == hits[0][0]
    await viewer.disconnect()


async def test_a_removed_breakpoint_no_longer_stops_play(clock: ManualClock) -> None:
    viewer, _ = await open_run()
    await ask(viewer, INVENTORY)
    answer = await ask(viewer, {**INVENTORY, "on": False})
    assert answer["type"] == "breakpoints"
    assert answer["items"] == []
    _, state = await play_until_paused(viewer, clock)
    assert "hit" not in state
    assert state["finished"] is True
    await viewer.disconnect()


async def test_step_ignores_breakpoints_and_every_viewer_hears_of_them() -> None:
    first, snapshot = await open_run()
    assert snapshot["breakpoints"] == []
    assert snapshot["arrivals"]["inventory"] == ["OrderCreatedEvent"]
    second, _ = await open_run(f"scenario=order-flow&run={snapshot['run']}")
    await ask(first, INVENTORY)
    told = await second.receive_json_from()
    assert told["items"] == [{"type": "OrderCreatedEvent", "node": "inventory"}]
    (hit_seq, _), *_ = arrivals_at("order-flow", "OrderCreatedEvent", "inventory")
    while True:
        hops = await ask(first, {"action": "step"})
        await second.receive_json_from()
        if hops["seq"] >= hit_seq + 1:
            break  # stepped past the breakpoint without a stop
    again = await ask(second, {"action": "resync"})
    assert again["breakpoints"] == [{"type": "OrderCreatedEvent", "node": "inventory"}]
    await first.disconnect()
    await second.disconnect()


@pytest.mark.parametrize(
    ("frame", "field", "words"),
    [
        ({"type": "OrderCreatedEvent", "node": "nowhere"}, "node", "no node 'nowhere'"),
        ({"type": "PlaceOrderCommand", "node": "inventory"}, "type", "never arrives at"),
        (
            {"type": "PlaceOrderCommand", "node": "notification"},
            "type",
            "what can arrive there: OrderCreatedEvent, InvoiceCreatedEvent",
        ),
        ({"type": "OrderCreatedEvent", "node": "gateway"}, "type", "can arrive there: nothing"),
        ({"type": "Order Created", "node": "inventory"}, "type", "must start with a letter"),
        ({"type": "OrderCreatedEvent", "node": "inventory", "on": "yes"}, "on", "valid boolean"),
        ({"type": "OrderCreatedEvent"}, "node", "required"),
    ],
)
async def test_a_breakpoint_that_cannot_be_set_is_refused_naming_the_field(
    frame: dict[str, Any], field: str, words: str
) -> None:
    viewer, snapshot = await open_run()
    run = run_of(snapshot)
    before = fingerprint(run)
    error = await ask(viewer, {"action": "breakpoint", **frame})
    assert error["type"] == "error"
    assert error["field"] == field
    assert words in error["detail"]
    assert fingerprint(run) == before
    assert run.breakpoints == {}
    await viewer.disconnect()


async def test_a_run_keeps_at_most_twenty_breakpoints() -> None:
    viewer, snapshot = await open_run("scenario=order-flow")
    run = run_of(snapshot)
    pairs = [(t, node) for node, types in snapshot["arrivals"].items() for t in types]
    assert len(pairs) < 21  # order-flow has fewer: fill the rest by hand, as a run would
    for i in range(20):
        run.breakpoints[(f"T{i}", "inventory")] = None
    error = await ask(viewer, INVENTORY)
    assert error["code"] == "refused"
    assert error["field"] == "on"
    assert error["detail"] == "a run keeps at most 20 breakpoints"
    assert len(run.breakpoints) == 20
    await viewer.disconnect()
