"""Flights over the wire: a viewer that applies each frame's changes knows every token to draw."""

from __future__ import annotations

from typing import Any

import pytest
from channels.testing import WebsocketCommunicator
from django.test import override_settings

from simulator.scenarios import load_scenario
from tests.live.viewers import INJECT, ask, open_run

pytestmark = pytest.mark.asyncio


class Mirror:
    """What a browser keeps: the flights of the last snapshot, changed by each hops frame."""

    def __init__(self, snapshot: dict[str, Any]) -> None:
        self.flights = {f["flight"]: f for f in snapshot["state"]["in_flight"]}

    def apply(self, frame: dict[str, Any]) -> None:
        if frame["type"] == "snapshot":
            self.flights = {f["flight"]: f for f in frame["state"]["in_flight"]}
        elif frame["type"] == "hops":
            assert not set(frame["flights"]["landed"]) - set(self.flights), "landed unknown"
            for flight in frame["flights"]["landed"]:
                del self.flights[flight]
            for flight in frame["flights"]["scheduled"]:
                assert flight["flight"] not in self.flights, "scheduled twice"
                self.flights[flight["flight"]] = flight


async def fresh_flights(viewer: WebsocketCommunicator) -> dict[int, Any]:
    snapshot = await ask(viewer, {"action": "resync"})
    return {f["flight"]: f for f in snapshot["state"]["in_flight"]}


async def test_the_snapshot_places_every_node_and_lists_the_first_flight() -> None:
    viewer, snapshot = await open_run()

    topology = load_scenario("order-flow").topology
    assert set(snapshot["layout"]) == {n.id for n in topology.nodes}
    assert snapshot["layout"]["gateway"] == {"x": 60, "y": 300}
    (flight,) = snapshot["state"]["in_flight"]
    assert (flight["from"], flight["to"], flight["arrives_at"]) == ("gateway", "order.commands", 10)
    await viewer.disconnect()


async def test_the_publish_step_schedules_three_flights_from_the_topic() -> None:
    viewer, _ = await open_run()

    while True:
        hops = await ask(viewer, {"action": "step"})
        if any(item["to"] == "order.events" for item in hops["items"]):
            break

    scheduled = hops["flights"]["scheduled"]
    assert sorted(f["to"] for f in scheduled) == ["billing", "inventory", "notification"]
    assert {f["message"]["type"] for f in scheduled} == {"OrderCreatedEvent"}
    await viewer.disconnect()


# two frames an action, faster than any learner clicks
@override_settings(MSGLAB_FRAMES_PER_SECOND=1000)
async def test_stepping_injecting_and_faults_keep_the_viewers_flights_exact() -> None:
    viewer, snapshot = await open_run()
    mirror = Mirror(snapshot)
    actions: list[dict[str, Any]] = [
        *[{"action": "step"}] * 4,
        INJECT,
        {"action": "fault", "op": "down", "node": "billing"},
        *[{"action": "step"}] * 8,
        {"action": "fault", "op": "up", "node": "billing"},
        *[{"action": "step"}] * 8,
    ]

    for action in actions:
        mirror.apply(await ask(viewer, action))
        assert mirror.flights == await fresh_flights(viewer), action

    await viewer.disconnect()


async def test_going_back_replaces_the_flights_with_the_earlier_ones() -> None:
    viewer, snapshot = await open_run()
    mirror = Mirror(snapshot)
    for _ in range(6):
        mirror.apply(await ask(viewer, {"action": "step"}))
    before_last = dict(mirror.flights)
    mirror.apply(await ask(viewer, {"action": "step"}))

    mirror.apply(await ask(viewer, {"action": "back"}))

    assert mirror.flights == before_last
    await viewer.disconnect()


async def test_a_played_run_lands_every_flight_it_scheduled() -> None:
    viewer, snapshot = await open_run()
    mirror = Mirror(snapshot)
    await ask(viewer, {"action": "speed", "value": 8})
    await viewer.send_json_to({"action": "play"})

    while True:
        frame = await viewer.receive_json_from(timeout=10)
        mirror.apply(frame)
        if frame["type"] == "state" and frame["finished"]:
            break

    assert mirror.flights == {}
    await viewer.disconnect()
