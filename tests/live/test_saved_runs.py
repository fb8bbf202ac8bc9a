"""Runs of topologies from the editor: /ws/sim/?topology=<id> streams a stored one."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import connections

from config.asgi import application
from simulator import topologies
from simulator.engine import Simulation
from simulator.scenarios import load_scenario
from simulator.views import editable
from tests.live.viewers import ORIGIN, ask, open_run

# the live stream reads the database from another thread: a real (file) database, committed
pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


@pytest_asyncio.fixture(autouse=True)
async def no_connection_left_in_the_streams_thread() -> AsyncIterator[None]:
    """Channels closes stale connections before every message it handles: one left open in
    its thread by these tests would be touched, and refused, in a later test without a db."""
    yield
    await sync_to_async(connections.close_all, thread_sensitive=True)()


@database_sync_to_async
def stored(name: str, *, save: bool) -> str:
    document = {**editable(load_scenario("order-flow").topology), "name": name}
    return topologies.store(topologies.check(document), save=save).id


async def test_a_draft_from_the_editor_runs_like_the_engine_runs_it() -> None:
    topology_id = await stored("my order flow", save=False)
    viewer, snapshot = await open_run(f"topology={topology_id}")

    assert snapshot["scenario"] == f"t/{topology_id}"
    assert snapshot["topology"]["name"] == "my order flow"
    engine = Simulation(load_scenario("order-flow").topology)
    for _ in range(3):
        hops = await ask(viewer, {"action": "step"})
        assert [{k: v for k, v in r.items() if k != "text"} for r in hops["items"]] == engine.step()
    await viewer.disconnect()


async def test_a_viewer_that_comes_back_finds_the_saved_topologys_run() -> None:
    topology_id = await stored("shared", save=True)
    viewer, snapshot = await open_run(f"topology={topology_id}")
    await ask(viewer, {"action": "step"})
    await viewer.disconnect()

    again, resumed = await open_run(f"topology={topology_id}&run={snapshot['run']}")

    assert (resumed["run"], resumed["seq"]) == (snapshot["run"], 1)
    await again.disconnect()


async def test_an_unknown_topology_gets_an_error_naming_the_field_then_close_4404() -> None:
    viewer = WebsocketCommunicator(
        application, "/ws/sim/?topology=aaaaaaaaaaaaaaaaaaaaaaaa", headers=[ORIGIN]
    )
    connected, _ = await viewer.connect()
    assert connected

    error = await viewer.receive_json_from()

    assert (error["code"], error["field"]) == ("unknown_scenario", "topology")
    assert error["detail"] == "no saved topology 'aaaaaaaaaaaaaaaaaaaaaaaa'"
    assert await viewer.receive_output() == {"type": "websocket.close", "code": 4404}
