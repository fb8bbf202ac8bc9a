"""The registry of runs one process keeps, with its own clock: joining, the limit, the grace
period of a run nobody watches, and shutting down."""

from __future__ import annotations

import json
from typing import Any

import pytest

from simulator.engine import Topology
from simulator.live.protocol import Play, Step
from simulator.live.run import LiveRun
from simulator.live.runs import Busy, Runs
from simulator.scenarios import load_scenario
from tests.live.viewers import ManualClock

pytestmark = pytest.mark.asyncio

GRACE = 60.0


class Screen:
    """A viewer that keeps every frame it is sent."""

    def __init__(self) -> None:
        self.frames: list[dict[str, Any]] = []

    async def __call__(self, text: str) -> None:
        self.frames.append(json.loads(text))


def order_flow() -> Topology:
    return load_scenario("order-flow").topology


def registry(limit: int = 5) -> tuple[Runs, ManualClock]:
    clock = ManualClock()
    return Runs(grace_seconds=GRACE, limit=limit, clock=clock), clock


async def test_a_viewer_without_a_run_id_gets_a_new_run_and_its_snapshot() -> None:
    runs, clock = registry()
    screen = Screen()

    run = await runs.join(screen, "order-flow", order_flow())

    assert len(runs) == 1
    assert runs.get(run.id) is run
    assert run.viewers == [screen]
    assert [(f["type"], f["run"], f["seq"]) for f in screen.frames] == [("snapshot", run.id, 0)]
    assert run.clock is clock  # the registry's clock paces its runs
    await runs.close_all()


async def test_a_viewer_with_the_id_of_a_kept_run_joins_that_run() -> None:
    runs, _ = registry()
    one, two = Screen(), Screen()
    run = await runs.join(one, "order-flow", order_flow())

    again = await runs.join(two, "order-flow", order_flow(), run.id)

    assert again is run
    assert len(runs) == 1
    assert run.viewers == [one, two]
    assert two.frames[0]["run"] == run.id
    await runs.close_all()


async def test_a_full_registry_refuses_a_new_run_but_lets_viewers_join_kept_ones() -> None:
    runs, _ = registry(limit=2)
    first = await runs.join(Screen(), "order-flow", order_flow())
    await runs.join(Screen(), "order-flow", order_flow())

    with pytest.raises(Busy) as busy:
        await runs.join(Screen(), "order-flow", order_flow())
    with pytest.raises(Busy):
        await runs.join(Screen(), "order-flow", order_flow(), "not-a-run")

    assert str(busy.value) == "this server already keeps 2 runs; try again later"
    assert len(runs) == 2
    assert await runs.join(Screen(), "order-flow", order_flow(), first.id) is first
    await runs.close_all()


async def test_a_run_nobody_watches_is_kept_for_exactly_the_grace_period() -> None:
    runs, clock = registry()
    screen = Screen()
    run = await runs.join(screen, "order-flow", order_flow())
    await runs.leave(run, screen)
    other = Screen()

    clock.advance(GRACE - 0.5)
    await runs.join(other, "order-flow", order_flow())  # joins and leaves let expired runs go
    assert runs.get(run.id) is run

    clock.advance(0.5)
    await runs.join(other, "order-flow", order_flow())
    assert runs.get(run.id) is None
    assert len(runs) == 2

    back = await runs.join(screen, "order-flow", order_flow(), run.id)
    assert back is not run  # too late: a new run
    await runs.close_all()


async def test_leaving_also_lets_expired_runs_go() -> None:
    runs, clock = registry()
    one, two = Screen(), Screen()
    first = await runs.join(one, "order-flow", order_flow())
    second = await runs.join(two, "order-flow", order_flow())
    await runs.leave(first, one)

    clock.advance(GRACE + 1)
    await runs.leave(second, two)

    assert runs.get(first.id) is None
    assert runs.get(second.id) is second  # its grace period has only begun
    await runs.close_all()


async def test_a_viewer_back_within_the_grace_period_keeps_the_run_for_good() -> None:
    runs, clock = registry()
    screen = Screen()
    run = await runs.join(screen, "order-flow", order_flow())
    await runs.leave(run, screen)
    clock.advance(GRACE / 2)

    assert await runs.join(screen, "order-flow", order_flow(), run.id) is run

    clock.advance(GRACE * 2)
    await runs.join(Screen(), "order-flow", order_flow())
    assert runs.get(run.id) is run  # watched again: no grace period runs out
    await runs.close_all()


async def test_a_run_one_of_its_viewers_still_watches_is_not_let_go() -> None:
    runs, clock = registry()
    one, two = Screen(), Screen()
    run = await runs.join(one, "order-flow", order_flow())
    await runs.join(two, "order-flow", order_flow(), run.id)

    await runs.leave(run, one)
    clock.advance(GRACE * 2)
    await runs.join(Screen(), "order-flow", order_flow())

    assert runs.get(run.id) is run
    assert run.viewers == [two]
    await runs.close_all()


async def test_close_all_stops_and_forgets_every_run() -> None:
    runs, clock = registry()
    screen, gone = Screen(), Screen()
    playing = await runs.join(screen, "order-flow", order_flow())
    await playing.handle(Play(action="play"), screen)
    unwatched = await runs.join(gone, "order-flow", order_flow())
    await runs.leave(unwatched, gone)
    assert playing.advancing

    await runs.close_all()

    assert len(runs) == 0
    assert runs.get(playing.id) is None
    assert runs.get(unwatched.id) is None
    assert not playing.advancing
    assert playing.viewers == []
    # the forgotten run's grace period is forgotten too: a later sweep does not trip on it
    clock.advance(GRACE * 2)
    fresh = await runs.join(Screen(), "order-flow", order_flow())
    assert len(runs) == 1
    assert runs.get(fresh.id) is fresh
    await runs.close_all()


async def test_a_viewer_leaving_a_run_the_registry_has_closed_leaves_quietly() -> None:
    runs, _ = registry()
    screen = Screen()
    run = await runs.join(screen, "order-flow", order_flow())
    await runs.close_all()  # shutting down while the viewer is still connected

    await runs.leave(run, screen)

    assert len(runs) == 0
    assert runs.get(run.id) is None


async def test_a_registry_takes_new_runs_after_a_viewer_left_a_closed_run() -> None:
    runs, clock = registry()
    screen = Screen()
    run = await runs.join(screen, "order-flow", order_flow())
    await runs.close_all()
    await runs.leave(run, screen)

    clock.advance(GRACE * 2)
    fresh = await runs.join(Screen(), "order-flow", order_flow())

    assert runs.get(fresh.id) is fresh
    await runs.close_all()


async def test_a_run_answers_frames_before_anyone_watches_it() -> None:
    run = LiveRun("r1", "order-flow", order_flow())
    screen = Screen()

    await run.handle(Step(action="step"), screen)  # nobody watches: nobody is answered
    await run.attach(screen)

    assert screen.frames[0]["type"] == "snapshot"
    assert (screen.frames[0]["seq"], screen.frames[0]["state"]["steps"]) == (1, 1)
    await run.close()
