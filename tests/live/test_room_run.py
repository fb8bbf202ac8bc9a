"""A room's run (simulator/live/room.py) without Django: its log replays into the same run,
progress while playing included, and refused actions leave no trace in it."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from simulator.live.protocol import FrameError, parse_room_frame
from simulator.live.room import Entry, RoomRun
from simulator.scenarios import load_scenario
from tests.live.viewers import INJECT, ManualClock

pytestmark = pytest.mark.asyncio


class Room:
    """A room's run with its log and votes kept in lists, as the database keeps them."""

    def __init__(self, clock: ManualClock) -> None:
        self.log: list[Entry] = []
        self.frames: list[tuple[str, str]] = []
        self.run = RoomRun(
            "ABCDEFG",
            load_scenario("order-flow").topology,
            self.publish,
            self.write,
            self.vote,
            clock=clock,
        )

    async def publish(self, text: str, audience: str) -> None:
        self.frames.append((json.loads(text)["type"], audience))

    async def write(self, entry: Entry) -> None:
        self.log.append(entry)

    async def vote(self, poll: int, voter: str, choice: int) -> bool:
        return True

    async def do(self, frame: dict[str, Any]) -> None:
        await self.run.act(parse_room_frame(json.dumps(frame)), None, self.publish)


def state(run: RoomRun) -> tuple[object, ...]:
    return (run.sim.fingerprint(), run.sim.trace(), run.live.speed, run.live.playing)


async def test_the_log_of_a_played_paused_and_stepped_room_replays_into_the_same_run() -> None:
    clock = ManualClock()
    room = Room(clock)
    await room.run.start()
    await room.do({"action": "speed", "value": 4})
    await room.do({"action": "play"})
    for _ in range(3):  # play for a while, logging where the run is, as the leader does
        clock.advance(0.5)  # 20 simulated ms at speed 4
        await asyncio.sleep(0.05)
        await room.run.checkpoint()
    assert room.run.sim.steps > 0  # the play did move it
    await room.do(INJECT)
    clock.advance(0.1)
    await asyncio.sleep(0.05)
    await room.do({"action": "pause"})
    await room.do({"action": "step"})
    await room.do({"action": "fault", "op": "fail_next", "node": "billing"})
    await room.do({"action": "step"})
    assert any(entry.frame == {"action": "progress"} for entry in room.log)

    again = Room(ManualClock())
    await again.run.replay(room.log, {})
    assert state(again.run) == state(room.run)
    assert again.frames == []  # a replay publishes nothing
    await room.run.stop()


async def test_a_replayed_playing_room_plays_on_from_its_last_logged_position() -> None:
    clock = ManualClock()
    room = Room(clock)
    await room.run.start()
    await room.do({"action": "play"})
    clock.advance(0.3)
    await asyncio.sleep(0.05)
    await room.run.checkpoint()
    logged = room.run.logged

    again = Room(ManualClock())
    await again.run.replay(room.log, {})
    assert (again.run.sim.steps, float(again.run.sim.now_ms)) == logged
    assert again.run.live.playing
    await room.run.stop()


async def test_a_refused_action_is_neither_logged_nor_published() -> None:
    room = Room(ManualClock())
    await room.run.start()
    published = list(room.frames)
    with pytest.raises(FrameError):
        await room.do({"action": "back"})
    with pytest.raises(FrameError):
        await room.do({"action": "spotlight", "message": "m99"})
    assert room.log == []
    assert room.frames == published
    await room.run.stop()


async def test_a_pause_while_a_frame_is_being_published_still_publishes_it_first() -> None:
    clock = ManualClock()
    room = Room(clock)
    await room.run.start()
    gate = asyncio.Event()
    slow_publish = room.publish

    async def publish(text: str, audience: str) -> None:
        await gate.wait()  # Redis is slow to answer
        await slow_publish(text, audience)

    room.run._publish = publish
    gate.set()
    await room.do({"action": "speed", "value": 8})
    await room.do({"action": "play"})
    gate.clear()
    clock.advance(1.0)  # the loop has hops to send, and waits on the gate with them
    for _ in range(5):
        await asyncio.sleep(0.02)
    pausing = asyncio.ensure_future(room.do({"action": "pause"}))
    await asyncio.sleep(0.02)
    gate.set()
    await pausing
    kinds = [kind for kind, _ in room.frames]
    assert "hops" in kinds  # the frame on its way when the loop was stopped went out
    assert kinds[-1] == "state"  # and before the pause's answer, not after it
    await room.run.stop()
