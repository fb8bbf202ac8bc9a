"""How a playing run is paced: a LiveRun driven directly, by a clock the test moves.

The play loop reads its clock once when it starts and once per animation frame, so the clock
also tells the test how many frames the loop has run: every wait here is for a frame to
arrive or for the loop to have looked at the clock, never a fixed sleep.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio

from simulator.engine import Topology, load_topology
from simulator.live.protocol import Pause, Play, Reset, Speed
from simulator.live.run import (
    CAUGHT_UP_FRAMES,
    FRAME_SECONDS,
    IDLE_STATE_SECONDS,
    MAX_STEPS_PER_FRAME,
    LiveRun,
)
from simulator.scenarios import load_scenario
from tests.live.viewers import ManualClock

pytestmark = pytest.mark.asyncio

WAIT = 5.0  # seconds; every frame these tests wait for comes within a few animation frames

# 2000 notes, 0.01 ms apart from t=1 ms: one step each, far more than a frame may run at once
BURST = {
    "schema": "msglab/topology@1",
    "name": "burst",
    "latency_ms": 1,
    "nodes": [
        {
            "id": "desk",
            "kind": "client",
            "sends": [
                {
                    "to": "board",
                    "count": 2000,
                    "every_ms": 0.01,
                    "message": {"type": "NoteTaken", "kind": "event"},
                }
            ],
        },
        {"id": "board", "kind": "topic"},
    ],
}


class LoopClock(ManualClock):
    """A clock the test moves, which also counts how often the play loop has read it and
    notes the event loop's time of each read."""

    def __init__(self) -> None:
        super().__init__()
        self.reads: list[float] = []

    def __call__(self) -> float:
        self.reads.append(asyncio.get_running_loop().time())
        return self.now

    async def read(self, times: int = 1) -> None:
        """Until the play loop has read the clock ``times`` more times."""
        target = len(self.reads) + times
        async with asyncio.timeout(WAIT):
            while len(self.reads) < target:
                await asyncio.sleep(FRAME_SECONDS / 4)


class Screen:
    """A viewer that keeps every frame, with how many clock reads the loop had made by then."""

    def __init__(self, clock: LoopClock) -> None:
        self.clock = clock
        self.frames: asyncio.Queue[tuple[dict[str, Any], int]] = asyncio.Queue()

    async def __call__(self, text: str) -> None:
        self.frames.put_nowait((json.loads(text), len(self.clock.reads)))

    async def next(self) -> dict[str, Any]:
        frame, _ = await self.next_with_reads()
        return frame

    async def next_with_reads(self) -> tuple[dict[str, Any], int]:
        # not wait_for, which waits in a task of its own: the test resumes as soon as a frame
        # arrives, before the play loop's next turn
        async with asyncio.timeout(WAIT):
            return await self.frames.get()

    async def until(self, frame_type: str, **fields: Any) -> tuple[dict[str, Any], int]:
        """The next frame of that type with those fields, skipping others."""
        while True:
            frame, reads = await self.next_with_reads()
            if frame["type"] == frame_type and all(frame[k] == v for k, v in fields.items()):
                return frame, reads

    def empty(self) -> bool:
        return self.frames.empty()


@pytest.fixture
def clock() -> LoopClock:
    """The run's own clock here, in place of conftest's, which moves the registry's clock."""
    return LoopClock()


@pytest_asyncio.fixture
async def order_flow(clock: LoopClock) -> AsyncIterator[tuple[LiveRun, Screen]]:
    """A run of order-flow being watched, paused at t=0 (its first event is at t=10)."""
    async for watched in watched_run(load_scenario("order-flow").topology, clock):
        yield watched


@pytest_asyncio.fixture
async def burst(clock: LoopClock) -> AsyncIterator[tuple[LiveRun, Screen]]:
    async for watched in watched_run(load_topology(BURST), clock):
        yield watched


async def watched_run(
    topology: Topology, clock: LoopClock
) -> AsyncIterator[tuple[LiveRun, Screen]]:
    run = LiveRun("r1", "test", topology, clock)
    screen = Screen(clock)
    await run.attach(screen)
    assert (await screen.next())["type"] == "snapshot"
    yield run, screen
    await run.close()


async def play(run: LiveRun, screen: Screen, clock: LoopClock) -> None:
    """Play, and wait for the loop to start: its pace counts from the clock's time then."""
    await run.handle(Play(action="play"), screen)
    assert (await screen.next())["playing"] is True
    await clock.read()


async def test_at_speed_1_a_second_of_wall_time_is_ten_simulated_ms(
    order_flow: tuple[LiveRun, Screen], clock: LoopClock
) -> None:
    run, screen = order_flow
    await play(run, screen, clock)

    clock.advance(1.0)

    hops = await screen.next()
    assert hops["type"] == "hops"
    assert [(item["seq"], item["t"]) for item in hops["items"]] == [(1, 10)]
    assert hops["t"] == 10


async def test_at_speed_4_a_quarter_second_of_wall_time_is_ten_simulated_ms(
    order_flow: tuple[LiveRun, Screen], clock: LoopClock
) -> None:
    run, screen = order_flow
    await run.handle(Speed(action="speed", value=4), screen)
    await screen.next()
    await play(run, screen, clock)

    clock.advance(0.25)

    hops = await screen.next()
    assert (hops["type"], hops["t"], hops["items"][0]["t"]) == ("hops", 10, 10)


async def test_while_nothing_happens_a_state_frame_moves_the_clock_every_quarter_second(
    order_flow: tuple[LiveRun, Screen], clock: LoopClock
) -> None:
    run, screen = order_flow
    await play(run, screen, clock)

    clock.advance(IDLE_STATE_SECONDS / 2)  # halves of 0.25 s add up exactly
    await clock.read(2)  # the loop has seen the clock there, and sent nothing
    clock.advance(IDLE_STATE_SECONDS / 2)
    first = await screen.next()
    clock.advance(IDLE_STATE_SECONDS)
    second = await screen.next()

    assert first == {
        "type": "state",
        "seq": 0,
        "t": 2.5,
        "steps": 0,
        "finished": False,
        "halted": None,
        "playing": True,
        "speed": 1,
        "lagging": False,
    }
    assert (second["type"], second["t"]) == ("state", 5)


async def test_a_playing_run_whose_clock_stands_still_sends_nothing(
    order_flow: tuple[LiveRun, Screen], clock: LoopClock
) -> None:
    run, screen = order_flow
    await play(run, screen, clock)

    await clock.read(5)

    assert screen.empty()
    await run.handle(Pause(action="pause"), screen)
    assert (await screen.next())["playing"] is False  # the answer, with nothing before it


async def test_the_loop_runs_once_per_animation_frame(
    order_flow: tuple[LiveRun, Screen], clock: LoopClock
) -> None:
    run, screen = order_flow
    await play(run, screen, clock)

    await clock.read(13)

    # one read as the loop starts, then one a frame; the first frame runs at once
    reads = clock.reads[2:13]
    gaps = [later - earlier for earlier, later in zip(reads, reads[1:], strict=False)]
    # never faster: a loop that stalls (a busy machine) runs the next frame at once rather
    # than racing to catch up, so ten frames can take a little under ten frames' time, never
    # next to none
    assert sum(gaps) >= 5 * FRAME_SECONDS
    # nor slower: a frame late by some time is followed by one that much sooner
    assert min(gaps) < 1.5 * FRAME_SECONDS


async def test_a_run_that_finishes_stops_playing_and_can_play_again_after_a_reset(
    order_flow: tuple[LiveRun, Screen], clock: LoopClock
) -> None:
    run, screen = order_flow
    await play(run, screen, clock)
    clock.advance(3600)

    end, _ = await screen.until("state", finished=True)
    assert (end["playing"], end["lagging"]) == (False, False)
    async with asyncio.timeout(WAIT):  # the loop ends by itself
        while run.advancing:
            await asyncio.sleep(FRAME_SECONDS / 4)

    await run.handle(Reset(action="reset"), screen)
    assert (await screen.next())["seq"] == 0
    await play(run, screen, clock)
    clock.advance(3600)
    again, _ = await screen.until("state", finished=True)
    assert again["seq"] == end["seq"]


async def test_a_run_reset_and_played_the_moment_it_finishes_plays_again(
    order_flow: tuple[LiveRun, Screen], clock: LoopClock
) -> None:
    run, screen = order_flow
    await play(run, screen, clock)
    clock.advance(3600)
    await screen.until("state", finished=True)

    # at once, as a client may: the last frame came before the loop's last sleep ended
    await run.handle(Reset(action="reset"), screen)
    await run.handle(Play(action="play"), screen)
    await clock.read()
    clock.advance(1.0)

    assert (await screen.next())["type"] == "snapshot"
    assert (await screen.next())["playing"] is True
    after = await screen.next()
    assert (after["type"], after.get("playing")) == ("hops", None)  # not a state: stopped


async def test_a_run_that_keeps_up_is_never_lagging_however_many_steps_it_makes(
    burst: tuple[LiveRun, Screen], clock: LoopClock
) -> None:
    run, screen = burst
    await play(run, screen, clock)

    for _ in range(3):  # 3 ms a time: 300 notes, fewer than a frame may run
        clock.advance(0.3)
        hops = await screen.next()
        assert hops["type"] == "hops"
    await run.handle(Pause(action="pause"), screen)
    paused = await screen.next()

    assert run.sim.steps > MAX_STEPS_PER_FRAME
    assert (paused["type"], paused["playing"], paused["lagging"]) == ("state", False, False)


async def test_a_lagging_run_clears_lagging_after_enough_frames_in_a_row_that_keep_up(
    burst: tuple[LiveRun, Screen], clock: LoopClock
) -> None:
    run, screen = burst
    await play(run, screen, clock)
    await clock.read(3)  # a few frames that keep up first: a frame that falls behind resets

    clock.advance(1.0)  # 10 ms: 900 notes due
    hops = await screen.next()
    lagging, fell_behind = await screen.next_with_reads()
    caught_up, reads = await screen.until("state")

    assert (hops["type"], hops["steps"]) == ("hops", MAX_STEPS_PER_FRAME)
    assert (lagging["type"], lagging["lagging"]) == ("state", True)
    assert (caught_up["lagging"], caught_up["steps"]) == (False, 500)  # the clock stood still
    assert reads - fell_behind == CAUGHT_UP_FRAMES  # one read a frame


async def test_a_restarted_loop_counts_the_frames_that_keep_up_from_scratch(
    burst: tuple[LiveRun, Screen], clock: LoopClock
) -> None:
    run, screen = burst
    await play(run, screen, clock)

    clock.advance(1.0)  # 10 ms: 900 notes due
    hops = await screen.next()
    lagging = await screen.next()
    # a speed change restarts the loop
    await run.handle(Speed(action="speed", value=1), screen)
    answer, restarted = await screen.next_with_reads()
    caught_up, reads = await screen.until("state")

    assert hops["type"] == "hops"
    assert hops["steps"] == MAX_STEPS_PER_FRAME
    assert (lagging["type"], lagging["lagging"], lagging["steps"]) == ("state", True, 500)
    assert (answer["type"], answer["lagging"]) == ("state", True)
    assert (caught_up["lagging"], caught_up["steps"]) == (False, 500)  # the clock stood still
    # the loop's own read as it starts, then one a frame
    assert reads - restarted == 1 + CAUGHT_UP_FRAMES


async def test_a_reset_run_is_no_longer_lagging(
    burst: tuple[LiveRun, Screen], clock: LoopClock
) -> None:
    run, screen = burst
    await play(run, screen, clock)
    clock.advance(1.0)
    await screen.until("state", lagging=True)

    await run.handle(Reset(action="reset"), screen)
    paused, _ = await screen.until("state")
    snapshot = await screen.next()
    await run.handle(Speed(action="speed", value=2), screen)
    answer = await screen.next()

    assert (paused["playing"], paused["lagging"]) == (False, True)  # reset pauses first
    assert (snapshot["type"], snapshot["seq"]) == ("snapshot", 0)
    assert (answer["type"], answer["lagging"]) == ("state", False)
