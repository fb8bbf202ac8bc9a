"""Reconnecting: a run outlives a dropped connection for a grace period, then is let go."""

from __future__ import annotations

import pytest

from simulator.consumers import RUNS
from tests.live.viewers import ask, open_run, run_of

pytestmark = pytest.mark.asyncio


async def test_a_viewer_that_comes_back_with_the_run_id_continues_where_it_was() -> None:
    viewer, snapshot = await open_run()
    for _ in range(3):
        await ask(viewer, {"action": "step"})
    await viewer.disconnect()
    again, resumed = await open_run(f"scenario=order-flow&run={snapshot['run']}")
    assert resumed["run"] == snapshot["run"]
    assert resumed["seq"] == 3
    assert [r["seq"] for r in resumed["trace"]] == [1, 2, 3]
    assert (await ask(again, {"action": "step"}))["items"][0]["seq"] == 4
    await again.disconnect()


async def test_a_run_stops_advancing_while_nobody_watches_and_plays_on_when_they_return() -> None:
    viewer, snapshot = await open_run()
    await ask(viewer, {"action": "play"})
    await viewer.disconnect()
    run = run_of(snapshot)
    seq = run.sim.seq
    assert run.playing is True
    assert not run.advancing  # no task left behind for Daphne to kill
    again, resumed = await open_run(f"scenario=order-flow&run={snapshot['run']}")
    assert resumed["playing"] is True
    assert resumed["seq"] == seq
    frame = await again.receive_json_from(timeout=3)
    assert frame["type"] in ("hops", "state")
    await ask(again, {"action": "pause"})
    await again.disconnect()


async def test_an_unknown_run_id_starts_a_new_run() -> None:
    viewer, snapshot = await open_run("scenario=order-flow&run=not-a-run")
    assert snapshot["run"] != "not-a-run"
    assert snapshot["seq"] == 0
    await viewer.disconnect()


async def test_a_run_id_of_another_scenario_starts_a_new_run() -> None:
    viewer, snapshot = await open_run()
    await ask(viewer, {"action": "step"})
    await viewer.disconnect()
    other, fresh = await open_run(f"scenario=request-reply&run={snapshot['run']}")
    assert fresh["run"] != snapshot["run"]
    assert fresh["scenario"] == "request-reply"
    await other.disconnect()


async def test_a_run_nobody_watches_is_let_go_after_the_grace_period(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(RUNS, "grace_seconds", 0)
    viewer, snapshot = await open_run()
    await viewer.disconnect()
    assert RUNS.get(snapshot["run"]) is None
    again, fresh = await open_run(f"scenario=order-flow&run={snapshot['run']}")
    assert fresh["run"] != snapshot["run"]
    await again.disconnect()


async def test_two_viewers_of_one_run_both_see_every_answer() -> None:
    one, snapshot = await open_run()
    two, joined = await open_run(f"scenario=order-flow&run={snapshot['run']}")
    assert joined["run"] == snapshot["run"]
    hops = await ask(one, {"action": "step"})
    assert await two.receive_json_from() == hops
    await one.disconnect()
    assert (await ask(two, {"action": "step"}))["seq"] == 2
    await two.disconnect()


async def test_a_resync_answers_only_the_viewer_that_asked() -> None:
    one, snapshot = await open_run()
    two, _ = await open_run(f"scenario=order-flow&run={snapshot['run']}")
    assert (await ask(two, {"action": "resync"}))["type"] == "snapshot"
    # frames keep their order: had `one` been sent the snapshot, it would come before this
    assert (await ask(one, {"action": "step"}))["type"] == "hops"
    assert (await two.receive_json_from())["type"] == "hops"
    await one.disconnect()
    await two.disconnect()
