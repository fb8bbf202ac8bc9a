"""Helpers for the live stream tests: a WebsocketCommunicator on /ws/sim/ with our Origin, a
clock the test moves, and the fingerprint of everything a refused frame must leave alone."""

from __future__ import annotations

from typing import Any

from channels.testing import WebsocketCommunicator

from config.asgi import application
from simulator.consumers import RUNS
from simulator.live.run import LiveRun

ORIGIN = (b"origin", b"http://testserver")
# the gateway sends another order now
INJECT = {
    "action": "inject",
    "from": "gateway",
    "to": "order.commands",
    "message": {"type": "PlaceOrderCommand", "kind": "command", "payload": {"orderId": "B7"}},
}


async def open_run(
    query: str = "scenario=order-flow",
) -> tuple[WebsocketCommunicator, dict[str, Any]]:
    """A connected viewer and the snapshot it got on connect."""
    viewer = WebsocketCommunicator(application, f"/ws/sim/?{query}", headers=[ORIGIN])
    connected, _ = await viewer.connect()
    assert connected
    snapshot = await viewer.receive_json_from()
    assert snapshot["type"] == "snapshot"
    return viewer, snapshot


async def ask(viewer: WebsocketCommunicator, frame: dict[str, Any]) -> dict[str, Any]:
    """Send one frame and return the first answer."""
    await viewer.send_json_to(frame)
    answer: dict[str, Any] = await viewer.receive_json_from()
    return answer


def run_of(snapshot: dict[str, Any]) -> LiveRun:
    run = RUNS.get(snapshot["run"])
    assert run is not None
    return run


def fingerprint(run: LiveRun) -> dict[str, Any]:
    """Everything about a run that a refused frame must leave alone: the engine's whole state
    (all that back and seek restore, the action log included), its trace, and the run's own."""
    return {
        "engine": run.sim.fingerprint(),
        "trace": run.sim.trace(),
        "sim": id(run.sim),
        "playing": run.playing,
        "advancing": run.advancing,
        "lagging": run.lagging,
        "speed": run.speed,
        "viewers": len(run.viewers),
    }


class ManualClock:
    """A monotonic clock in seconds that moves only when told to."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
