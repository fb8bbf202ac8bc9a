"""The live stream through a real Daphne process on loopback, with the `websockets` client."""

from __future__ import annotations

import json
from typing import Any

import pytest
import websockets
from websockets.asyncio.client import ClientConnection

from simulator.engine import Simulation
from simulator.scenarios import load_scenario

pytestmark = pytest.mark.asyncio


async def answer(ws: ClientConnection, frame: dict[str, Any]) -> dict[str, Any]:
    await ws.send(json.dumps(frame))
    reply: dict[str, Any] = json.loads(await ws.recv())
    return reply


def connect(live_daphne: str, query: str = "scenario=order-flow") -> Any:
    url = live_daphne.replace("http://", "ws://") + f"/ws/sim/?{query}"
    return websockets.connect(url, origin=live_daphne, open_timeout=10)  # type: ignore[arg-type]


async def test_a_played_run_arrives_record_for_record_as_the_engine_writes_it(
    live_daphne: str,
) -> None:
    async with connect(live_daphne) as ws:
        assert json.loads(await ws.recv())["type"] == "snapshot"
        await answer(ws, {"action": "speed", "value": 8})
        await answer(ws, {"action": "play"})
        records: list[dict[str, Any]] = []
        while True:
            frame = json.loads(await ws.recv())
            if frame["type"] == "hops":
                records += frame["items"]
            elif frame["type"] == "state" and not frame["playing"]:
                break
    engine = Simulation(load_scenario("order-flow").topology)
    engine.run()
    assert [{k: v for k, v in r.items() if k != "text"} for r in records] == engine.trace()


async def test_a_dropped_viewer_reconnects_to_the_same_run_and_continues(live_daphne: str) -> None:
    async with connect(live_daphne) as ws:
        snapshot = json.loads(await ws.recv())
        for _ in range(3):
            await answer(ws, {"action": "step"})
    async with connect(live_daphne, f"scenario=order-flow&run={snapshot['run']}") as ws:
        resumed = json.loads(await ws.recv())
        assert (resumed["run"], resumed["seq"]) == (snapshot["run"], 3)
        hops = await answer(ws, {"action": "step"})
        assert hops["items"][0]["seq"] == 4


async def test_daphne_refuses_a_socket_from_a_foreign_origin(live_daphne: str) -> None:
    url = live_daphne.replace("http://", "ws://") + "/ws/sim/?scenario=order-flow"
    with pytest.raises(websockets.exceptions.InvalidStatus) as refused:
        async with websockets.connect(url, origin="https://evil.example"):  # type: ignore[arg-type]
            pass
    assert refused.value.response.status_code == 403


async def test_a_frame_over_64_kib_is_refused_and_the_connection_keeps_working(
    live_daphne: str,
) -> None:
    async with connect(live_daphne) as ws:
        await ws.recv()
        error = await answer(ws, {"action": "step", "pad": "x" * 70_000})
        assert error["code"] == "too_large"
        assert (await answer(ws, {"action": "step"}))["seq"] == 1


async def test_a_frame_over_daphnes_1_mib_limit_drops_only_that_connection(
    live_daphne: str,
) -> None:
    async with connect(live_daphne) as other:
        await other.recv()
        async with connect(live_daphne) as ws:
            await ws.recv()
            await ws.send("x" * (1024 * 1024 + 1))
            with pytest.raises(websockets.exceptions.ConnectionClosed):
                await ws.recv()
        assert (await answer(other, {"action": "step"}))["seq"] == 1
    async with connect(live_daphne) as ws:
        assert json.loads(await ws.recv())["type"] == "snapshot"
