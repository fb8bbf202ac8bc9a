"""Each control action over /ws/sim/, through the real ASGI app with a WebsocketCommunicator."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from simulator import scenarios
from simulator.engine import Simulation
from simulator.live.run import MAX_STEPS_PER_FRAME
from simulator.scenarios import load_scenario
from tests.live.viewers import INJECT, ask, open_run, run_of

BENCH_SCENARIOS = Path(__file__).resolve().parents[2] / "bench" / "scenarios"

pytestmark = pytest.mark.asyncio


async def test_a_new_viewer_gets_a_version_1_snapshot_of_the_scenario() -> None:
    viewer, snapshot = await open_run()
    assert snapshot["v"] == 1
    assert snapshot["seq"] == 0
    assert snapshot["scenario"] == "order-flow"
    assert snapshot["playing"] is False
    assert snapshot["speed"] == 1
    assert snapshot["time_scale"] == 100
    assert snapshot["topology"] == load_scenario("order-flow").topology.to_dict()
    assert snapshot["state"]["nodes"]["orders"] == {
        "kind": "service",
        "status": "up",
        "busy": 0,
        "inbox": 0,
    }
    assert snapshot["warnings"] == []
    assert snapshot["trace"] == []
    await viewer.disconnect()


async def test_step_answers_with_exactly_the_next_events_records_in_words() -> None:
    viewer, _ = await open_run()
    expected = Simulation(load_scenario("order-flow").topology)
    for _ in range(4):
        hops = await ask(viewer, {"action": "step"})
        records = expected.step()
        assert hops["type"] == "hops"
        assert [{k: v for k, v in i.items() if k != "text"} for i in hops["items"]] == records
        assert hops["seq"] == expected.seq
    first = (await ask(viewer, {"action": "seek", "seq": 1}))["trace"][0]["text"]
    assert first == "API Gateway sent PlaceOrderCommand (command m1) to queue order.commands"
    await viewer.disconnect()


async def test_hops_frames_carry_the_clock_and_every_nodes_state() -> None:
    viewer, _ = await open_run()
    await ask(viewer, {"action": "step"})
    hops = await ask(viewer, {"action": "step"})
    assert hops["t"] == hops["items"][-1]["t"]
    assert hops["nodes"]["orders"]["busy"] == 1
    assert hops["finished"] is False
    await viewer.disconnect()


async def test_step_at_the_end_of_a_run_answers_with_no_records_and_finished() -> None:
    viewer, snapshot = await open_run()
    run_of(snapshot).sim.run()
    hops = await ask(viewer, {"action": "step"})
    assert hops["items"] == []
    assert hops["finished"] is True
    await viewer.disconnect()


async def test_back_returns_a_snapshot_of_the_exact_state_before_the_last_step() -> None:
    viewer, _ = await open_run()
    before = None
    for _ in range(5):
        hops = await ask(viewer, {"action": "step"})
        if hops["seq"] >= 4 and before is None:
            before = await ask(viewer, {"action": "resync"})
    assert before is not None
    while (await ask(viewer, {"action": "back"}))["seq"] > before["seq"]:
        pass
    again = await ask(viewer, {"action": "resync"})
    assert again["state"] == before["state"]
    assert again["trace"] == before["trace"]
    await viewer.disconnect()


async def test_seek_goes_back_to_the_first_step_boundary_with_that_many_records() -> None:
    viewer, _ = await open_run()
    for _ in range(8):
        await ask(viewer, {"action": "step"})
    snapshot = await ask(viewer, {"action": "seek", "seq": 3})
    assert snapshot["type"] == "snapshot"
    assert snapshot["seq"] == 3
    assert [r["seq"] for r in snapshot["trace"]] == [1, 2, 3]
    await viewer.disconnect()


async def test_seek_to_the_current_seq_is_allowed_and_stays_there() -> None:
    viewer, _ = await open_run()
    for _ in range(3):
        hops = await ask(viewer, {"action": "step"})
    snapshot = await ask(viewer, {"action": "seek", "seq": hops["seq"]})
    assert (snapshot["type"], snapshot["seq"]) == ("snapshot", hops["seq"])
    assert snapshot["state"]["steps"] == 3
    await viewer.disconnect()


async def test_reset_starts_the_run_over_and_keeps_the_speed() -> None:
    viewer, _ = await open_run()
    await ask(viewer, {"action": "speed", "value": 4})
    await ask(viewer, {"action": "step"})
    snapshot = await ask(viewer, {"action": "reset"})
    assert snapshot["seq"] == 0
    assert snapshot["state"]["steps"] == 0
    assert snapshot["speed"] == 4
    assert snapshot["playing"] is False
    await viewer.disconnect()


async def test_speed_answers_with_a_state_frame() -> None:
    viewer, _ = await open_run()
    state = await ask(viewer, {"action": "speed", "value": 0.25})
    assert state == {
        "type": "state",
        "seq": 0,
        "t": 0,
        "steps": 0,
        "playing": False,
        "speed": 0.25,
        "finished": False,
        "halted": None,
        "lagging": False,
    }
    await viewer.disconnect()


async def test_play_streams_the_whole_run_in_order_then_stops_finished() -> None:
    viewer, _ = await open_run()
    await ask(viewer, {"action": "speed", "value": 8})
    assert (await ask(viewer, {"action": "play"}))["playing"] is True
    records, frames = [], 0
    while True:
        frame = await viewer.receive_json_from(timeout=5)
        if frame["type"] == "hops":
            records += frame["items"]
            frames += 1
        elif frame["type"] == "state" and not frame["playing"]:
            break
    assert frame["finished"] is True
    whole = Simulation(load_scenario("order-flow").topology)
    whole.run()
    assert [r["seq"] for r in records] == list(range(1, whole.seq + 1))
    assert frames < len(records)  # records of one animation frame go out together
    await viewer.disconnect()


async def test_pause_stops_the_stream() -> None:
    viewer, snapshot = await open_run()
    run = run_of(snapshot)
    await ask(viewer, {"action": "speed", "value": 8})
    await ask(viewer, {"action": "play"})
    await viewer.send_json_to({"action": "pause"})
    while (frame := await viewer.receive_json_from())["type"] != "state":
        pass
    assert frame["playing"] is False
    assert not run.advancing  # the play loop is gone, not merely idle
    seq = run.sim.seq
    # frames keep their order: the next one is the answer to the viewer's next request
    resync = await ask(viewer, {"action": "resync"})
    assert (resync["type"], resync["seq"], resync["playing"]) == ("snapshot", seq, False)
    assert run.sim.seq == seq
    await viewer.disconnect()


async def test_reset_after_a_fault_at_the_start_is_a_fresh_run_without_the_fault() -> None:
    viewer, snapshot = await open_run()
    await ask(viewer, {"action": "fault", "op": "down", "node": "billing"})
    for _ in range(3):
        await ask(viewer, {"action": "step"})

    reset = await ask(viewer, {"action": "reset"})

    assert (reset["type"], reset["seq"]) == ("snapshot", 0)
    assert reset["state"]["nodes"]["billing"]["status"] == "up"
    run, fresh = run_of(snapshot), Simulation(load_scenario("order-flow").topology)
    assert run.sim.fingerprint() == fresh.fingerprint()  # the action log is empty too
    run.sim.run()
    fresh.run()
    assert run.sim.trace() == fresh.trace()
    await viewer.disconnect()


async def test_step_while_playing_pauses_first_then_answers_with_one_event() -> None:
    viewer, _ = await open_run()
    await ask(viewer, {"action": "play"})
    await viewer.send_json_to({"action": "step"})
    while (frame := await viewer.receive_json_from())["type"] != "state":
        pass  # hops the play loop sent before the step arrived
    assert frame["playing"] is False
    hops = await viewer.receive_json_from()
    assert hops["type"] == "hops"
    assert len({r["t"] for r in hops["items"]}) <= 1
    await viewer.disconnect()


async def test_inject_sends_another_order_from_the_client() -> None:
    viewer, snapshot = await open_run()
    hops = await ask(viewer, INJECT)
    assert hops["type"] == "hops"
    run = run_of(snapshot)
    run.sim.run()
    orders = [r for r in run.sim.trace() if r["event"] == "handled" and r["to"] == "orders"]
    assert [r["message"]["payload"]["orderId"] for r in orders] == ["A123", "B7"]
    await viewer.disconnect()


async def test_a_service_taken_down_makes_its_messages_wait() -> None:
    viewer, snapshot = await open_run()
    hops = await ask(viewer, {"action": "fault", "op": "down", "node": "billing"})
    assert hops["nodes"]["billing"]["status"] == "down"
    run = run_of(snapshot)
    run.sim.run()
    assert any(r["event"] == "waiting" and r["to"] == "billing" for r in run.sim.trace())
    up = await ask(viewer, {"action": "fault", "op": "up", "node": "billing"})
    assert up["nodes"]["billing"]["status"] == "up"
    await viewer.disconnect()


async def test_fail_next_makes_the_next_handling_of_that_type_fail() -> None:
    viewer, snapshot = await open_run()
    fault = {"action": "fault", "op": "fail_next", "node": "orders", "type": "PlaceOrderCommand"}
    await ask(viewer, fault)
    run = run_of(snapshot)
    run.sim.run()
    assert any(r["event"] == "failed" and r["to"] == "orders" for r in run.sim.trace())
    await viewer.disconnect()


async def test_every_frame_carries_the_runs_seq() -> None:
    viewer, snapshot = await open_run()
    run = run_of(snapshot)
    for frame in ('{"action": "step"}', '{"action": "pause"}', "nonsense", '{"action": "step"}'):
        await viewer.send_to(text_data=frame)
        answer = await viewer.receive_json_from()
        assert answer["seq"] == run.sim.seq > 0
    await viewer.disconnect()


@pytest.fixture
def bench_scenarios(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """bench/scenarios/ beside the built-in ones: live-burst is denser than speed 8 can show."""
    monkeypatch.setattr(scenarios, "DIRECTORIES", [*scenarios.DIRECTORIES, BENCH_SCENARIOS])
    scenarios.load_scenario.cache_clear()
    yield
    scenarios.load_scenario.cache_clear()


@pytest.mark.usefixtures("bench_scenarios")
async def test_a_run_too_dense_for_its_speed_says_it_is_lagging_and_keeps_frames_bounded() -> None:
    viewer, _ = await open_run("scenario=live-burst")
    await ask(viewer, {"action": "speed", "value": 8})
    await ask(viewer, {"action": "play"})
    # the second animation frame is already too much: a few hops frames at most come first
    for _ in range(20):
        frame = await viewer.receive_json_from()
        if frame["type"] == "state":
            break
        assert len(frame["items"]) <= 4 * MAX_STEPS_PER_FRAME
    assert frame["type"] == "state"
    assert frame["lagging"] is True
    await viewer.send_json_to({"action": "pause"})
    while (frame := await viewer.receive_json_from())["type"] != "state":
        pass
    assert frame["playing"] is False
    await viewer.disconnect()


@pytest.mark.usefixtures("bench_scenarios")
async def test_a_snapshot_carries_the_last_500_records_of_a_longer_run() -> None:
    viewer, snapshot = await open_run("scenario=live-burst")
    run = run_of(snapshot)
    run.sim.run(max_events=600)
    assert run.sim.seq > 500

    resync = await ask(viewer, {"action": "resync"})

    seqs = [record["seq"] for record in resync["trace"]]
    assert seqs == list(range(run.sim.seq - 499, run.sim.seq + 1))
    await viewer.disconnect()
