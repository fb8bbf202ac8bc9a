"""The live stream through a real Daphne process on loopback, with the `websockets` client."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
import websockets
from websockets.asyncio.client import ClientConnection

from simulator.engine import Simulation
from simulator.scenarios import load_scenario

pytestmark = [pytest.mark.asyncio, pytest.mark.subprocess]

# A server that never answers fails the test after this long instead of hanging CI; every frame
# these tests wait for comes within milliseconds.
RECV_TIMEOUT_S = 10.0


async def receive(ws: ClientConnection) -> dict[str, Any]:
    """The server's next frame, parsed."""
    try:
        text = await asyncio.wait_for(ws.recv(), RECV_TIMEOUT_S)
    except TimeoutError:
        pytest.fail(f"the server sent no frame in {RECV_TIMEOUT_S:g} s: is it stuck?")
    frame: dict[str, Any] = json.loads(text)
    return frame


async def answer(ws: ClientConnection, frame: dict[str, Any]) -> dict[str, Any]:
    await ws.send(json.dumps(frame))
    return await receive(ws)


def connect(live_daphne: str, query: str = "scenario=order-flow") -> Any:
    url = live_daphne.replace("http://", "ws://") + f"/ws/sim/?{query}"
    return websockets.connect(url, origin=live_daphne, open_timeout=10)  # type: ignore[arg-type]


async def test_a_played_run_arrives_record_for_record_as_the_engine_writes_it(
    live_daphne: str,
) -> None:
    async with connect(live_daphne) as ws:
        assert (await receive(ws))["type"] == "snapshot"
        await answer(ws, {"action": "speed", "value": 8})
        await answer(ws, {"action": "play"})
        records: list[dict[str, Any]] = []
        while True:
            frame = await receive(ws)
            if frame["type"] == "hops":
                records += frame["items"]
            elif frame["type"] == "state" and not frame["playing"]:
                break
    engine = Simulation(load_scenario("order-flow").topology)
    engine.run()
    assert [{k: v for k, v in r.items() if k != "text"} for r in records] == engine.trace()


async def test_a_dropped_viewer_reconnects_to_the_same_run_and_continues(live_daphne: str) -> None:
    async with connect(live_daphne) as ws:
        snapshot = await receive(ws)
        for _ in range(3):
            await answer(ws, {"action": "step"})
    async with connect(live_daphne, f"scenario=order-flow&run={snapshot['run']}") as ws:
        resumed = await receive(ws)
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
        await receive(ws)
        error = await answer(ws, {"action": "step", "pad": "x" * 70_000})
        assert error["code"] == "too_large"
        assert (await answer(ws, {"action": "step"}))["seq"] == 1


async def test_a_frame_over_daphnes_1_mib_limit_drops_only_that_connection(
    live_daphne: str,
) -> None:
    async with connect(live_daphne) as other:
        await receive(other)
        async with connect(live_daphne) as ws:
            await receive(ws)
            await ws.send("x" * (1024 * 1024 + 1))
            with pytest.raises(websockets.exceptions.ConnectionClosed):
                await receive(ws)
        assert (await answer(other, {"action": "step"}))["seq"] == 1
    async with connect(live_daphne) as ws:
        assert (await receive(ws))["type"] == "snapshot"
