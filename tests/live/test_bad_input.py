"""Bad frames on /ws/sim/: each gets an error naming the problem, and nothing else changes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from channels.testing import WebsocketCommunicator

from config.asgi import application
from simulator import scenarios
from simulator.consumers import RUNS
from tests.live.viewers import ORIGIN, ManualClock, ask, fingerprint, open_run, run_of

pytestmark = pytest.mark.asyncio


async def refused(frame: str | bytes, playing: bool = False) -> tuple[dict[str, Any], bool]:
    """The error answer to ``frame``, and whether the run is untouched by it.

    The run is two steps in and paused, or (``playing``) playing from the start with the live
    clock stopped, so that nothing but the frame could change it.
    """
    viewer, snapshot = await open_run()
    if playing:
        assert (await ask(viewer, {"action": "play"}))["playing"] is True
    else:
        await ask(viewer, {"action": "step"})
        await ask(viewer, {"action": "step"})
    run = run_of(snapshot)
    assert run.advancing is playing
    before = fingerprint(run)
    if isinstance(frame, bytes):
        await viewer.send_to(bytes_data=frame)
    else:
        await viewer.send_to(text_data=frame)
    error = await viewer.receive_json_from()
    assert error["type"] == "error"
    unchanged = fingerprint(run) == before
    # the connection still works after the refusal
    assert (await ask(viewer, {"action": "resync"}))["type"] == "snapshot"
    await viewer.disconnect()
    return error, unchanged


@pytest.mark.parametrize(
    ("frame", "code", "field"),
    [
        ("{not json", "not_json", None),
        (b"\x00\x01", "not_json", None),
        ('{"action": "speed", "value": NaN}', "not_json", None),
        ("[1, 2]", "not_object", None),
        ('"step"', "not_object", None),
        ("{}", "unknown_action", "action"),
        ('{"action": "dance"}', "unknown_action", "action"),
        ('{"action": 3}', "unknown_action", "action"),
        ('{"action": "step", "times": 3}', "invalid", "times"),
        ('{"action": "seek"}', "invalid", "seq"),
        ('{"action": "seek", "seq": "1"}', "invalid", "seq"),
        ('{"action": "seek", "seq": 1.5}', "invalid", "seq"),
        ('{"action": "seek", "seq": true}', "invalid", "seq"),
        ('{"action": "seek", "seq": -1}', "invalid", "seq"),
        ('{"action": "seek", "seq": 99}', "invalid", "seq"),
        ('{"action": "speed", "value": 9}', "invalid", "value"),
        ('{"action": "speed", "value": 0.1}', "invalid", "value"),
        ('{"action": "speed", "value": "fast"}', "invalid", "value"),
        ('{"action": "fault", "op": "explode", "node": "billing"}', "invalid", "op"),
        ('{"action": "fault", "op": "down", "node": "nobody"}', "invalid", "node"),
        ('{"action": "fault", "op": "down", "node": "order.events"}', "invalid", "node"),
        (
            '{"action": "fault", "op": "fail_next", "node": "billing", "type": "Nope"}',
            "invalid",
            "type",
        ),
        (
            '{"action": "inject", "from": "gateway", "to": "nowhere",'
            ' "message": {"type": "PlaceOrderCommand", "kind": "command"}}',
            "invalid",
            "to",
        ),
        (
            '{"action": "inject", "from": "orders", "to": "order.commands",'
            ' "message": {"type": "PlaceOrderCommand", "kind": "command"}}',
            "invalid",
            "from",
        ),
        (
            '{"action": "inject", "from": "gateway", "to": "order.commands",'
            ' "message": {"type": "PlaceOrderCommand", "kind": "order"}}',
            "invalid",
            "message.kind",
        ),
    ],
)
@pytest.mark.parametrize("playing", [False, True], ids=["paused", "playing"])
@pytest.mark.usefixtures("clock")
async def test_a_bad_frame_gets_an_error_naming_the_field_and_changes_nothing(
    frame: str | bytes, code: str, field: str | None, playing: bool
) -> None:
    error, unchanged = await refused(frame, playing)
    assert (error["code"], error["field"]) == (code, field)
    assert error["detail"]
    assert unchanged


# The details are what a learner reads when a frame is refused: the exact words are the contract.
@pytest.mark.parametrize(
    ("frame", "field", "detail"),
    [
        ("{not json", None, "a frame must be one JSON object"),
        (b"\x00\x01", None, "binary frames are not accepted; send JSON text"),
        ("[1, 2]", None, "a frame must be a JSON object, not a bare value or list"),
        (
            "{}",
            "action",
            "must be one of play, pause, step, back, seek, reset, speed, inject, fault, resync,"
            " subscribe, breakpoint, export",
        ),
        ('{"action": "step", "times": 3}', "times", "unknown field for 'step'"),
        ('{"action": "seek"}', "seq", "required for 'seek'"),
        ('{"action": "seek", "seq": "1"}', "seq", "must be a valid integer"),
        ('{"action": "speed", "value": 9}', "value", "must be less than or equal to 8"),
        (
            '{"action": "fault", "op": "explode", "node": "billing"}',
            "op",
            "must be 'down', 'up' or 'fail_next'",
        ),
        (
            '{"action": "inject", "from": "gateway", "to": "order.commands",'
            ' "message": {"type": "9bad", "kind": "command"}}',
            "message.type",
            "must start with a letter, then letters, digits, '.', '_' or '-'",
        ),
        ('{"action": "fault", "op": "down", "node": "nobody"}', "node", "unknown node 'nobody'"),
    ],
    ids=[
        "not json",
        "binary",
        "not an object",
        "no action",
        "unknown field",
        "missing field",
        "wrong type",
        "out of range",
        "not one of",
        "bad message type",
        "no such node",
    ],
)
async def test_an_error_frame_names_the_field_and_says_what_is_wrong_in_words(
    frame: str | bytes, field: str | None, detail: str
) -> None:
    error, _ = await refused(frame)
    assert (error["field"], error["detail"]) == (field, detail)


async def test_the_seek_error_says_which_seqs_exist() -> None:
    error, _ = await refused('{"action": "seek", "seq": 99}')
    assert error["detail"] == "seq must be a whole number from 0 to 2"


@pytest.mark.parametrize(
    ("frame", "code", "field", "detail"),
    [
        ({"action": "back"}, "refused", "action", "already at the start of the run"),
        ({"action": "seek", "seq": 1}, "invalid", "seq", "seq must be a whole number from 0 to 0"),
    ],
    ids=["back at the start", "seek past the end"],
)
@pytest.mark.parametrize("playing", [False, True], ids=["paused", "playing"])
@pytest.mark.usefixtures("clock")
async def test_a_refused_back_or_seek_leaves_the_run_as_it_was_playing_included(
    frame: dict[str, Any], code: str, field: str, detail: str, playing: bool
) -> None:
    viewer, snapshot = await open_run()
    if playing:
        await ask(viewer, {"action": "play"})
    run = run_of(snapshot)
    before = fingerprint(run)
    error = await ask(viewer, frame)  # the first answer: a refusal that paused would say so first
    assert (error["type"], error["code"]) == ("error", code)
    assert (error["field"], error["detail"]) == (field, detail)
    assert fingerprint(run) == before
    assert run.playing is playing
    await viewer.disconnect()


async def test_a_frame_over_64_kib_is_refused_and_changes_nothing() -> None:
    error, unchanged = await refused(json.dumps({"action": "step", "pad": "x" * 70_000}))
    assert error["code"] == "too_large"
    assert error["detail"] == "a frame may be at most 65536 bytes"
    assert unchanged


async def test_a_frame_of_exactly_64_kib_is_read() -> None:
    # whitespace is JSON too: a step padded to the limit
    frame = '{"action": "step"' + " " * (65_536 - len('{"action": "step"}')) + "}"
    assert len(frame.encode()) == 65_536
    viewer, _ = await open_run()
    await viewer.send_to(text_data=frame)
    assert (await viewer.receive_json_from())["type"] == "hops"
    await viewer.disconnect()


async def test_the_64_kib_limit_counts_bytes_not_characters() -> None:
    # 30,000 characters of three bytes each: 90,000 bytes on the wire
    frame = json.dumps({"action": "step", "pad": "€" * 30_000}, ensure_ascii=False)
    assert len(frame) < 65_536 < len(frame.encode())
    error, unchanged = await refused(frame)
    assert error["code"] == "too_large"
    assert unchanged


async def test_frames_beyond_the_rate_limit_are_refused_and_not_carried_out(
    clock: ManualClock,
) -> None:
    # 36 steps long, so that every step carried out would show in the count
    viewer, snapshot = await open_run("scenario=competing-consumers")
    run = run_of(snapshot)
    for _ in range(30):
        await viewer.send_to(text_data='{"action": "step"}')
    answers = [await viewer.receive_json_from() for _ in range(30)]
    # the clock stands still, so the bucket holds its burst of 20 and refills nothing
    assert [a["type"] for a in answers] == ["hops"] * 20 + ["error"] * 10
    assert {(a["code"], a["detail"]) for a in answers[20:]} == {
        ("rate_limited", "at most 20 frames a second; slow down")
    }
    assert run.sim.steps == 20
    assert run.sim.seq == sum(len(a["items"]) for a in answers[:20])
    clock.advance(0.06)  # a little over one frame's worth of refill: the next step is carried out
    assert (await ask(viewer, {"action": "step"}))["steps"] == 21
    await viewer.disconnect()


async def test_a_refused_frame_leaves_other_connections_alone() -> None:
    one, first = await open_run()
    two, second = await open_run()
    await ask(two, {"action": "step"})
    await one.send_to(text_data="garbage")
    assert (await one.receive_json_from())["code"] == "not_json"
    hops = await ask(two, {"action": "step"})
    assert hops["seq"] == 2
    assert first["run"] != second["run"]
    await one.disconnect()
    await two.disconnect()


async def test_an_unknown_scenario_gets_an_error_then_close_4404() -> None:
    viewer = WebsocketCommunicator(application, "/ws/sim/?scenario=no-such", headers=[ORIGIN])
    connected, _ = await viewer.connect()
    assert connected
    error = await viewer.receive_json_from()
    assert (error["code"], error["field"]) == ("unknown_scenario", "scenario")
    assert error["detail"] == "no scenario called 'no-such'"
    assert error["seq"] == 0  # there is no run, so no records
    assert await viewer.receive_output() == {"type": "websocket.close", "code": 4404}


async def test_a_missing_scenario_says_how_to_name_one() -> None:
    viewer = WebsocketCommunicator(application, "/ws/sim/", headers=[ORIGIN])
    await viewer.connect()
    error = await viewer.receive_json_from()
    assert error["detail"] == "add ?scenario=<slug> to the URL"
    assert await viewer.receive_output() == {"type": "websocket.close", "code": 4404}


async def test_a_foreign_origin_is_refused() -> None:
    viewer = WebsocketCommunicator(
        application, "/ws/sim/?scenario=order-flow", headers=[(b"origin", b"https://evil.example")]
    )
    connected, _ = await viewer.connect()
    assert not connected


async def test_a_full_server_refuses_new_runs_with_close_4503(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    viewer, _ = await open_run()
    monkeypatch.setattr(RUNS, "limit", len(RUNS))
    late = WebsocketCommunicator(application, "/ws/sim/?scenario=order-flow", headers=[ORIGIN])
    await late.connect()
    error = await late.receive_json_from()
    assert (error["code"], error["field"], error["seq"]) == ("busy", None, 0)
    assert error["detail"] == "this server already keeps 1 run; try again later"
    assert await late.receive_output() == {"type": "websocket.close", "code": 4503}
    await viewer.disconnect()


# three notes on a board, but a budget of two messages: the third send halts the run
BUDGET_SPENT = {
    "schema": "msglab/topology@1",
    "name": "budget spent",
    "max_messages": 2,
    "nodes": [
        {
            "id": "desk",
            "kind": "client",
            "sends": [
                {
                    "to": "board",
                    "count": 3,
                    "every_ms": 1,
                    "message": {"type": "NoteTaken", "kind": "event"},
                }
            ],
        },
        {"id": "board", "kind": "topic"},
        {"id": "archive", "kind": "service", "subscribes": ["board"], "handles": {"NoteTaken": {}}},
    ],
}


@pytest.fixture
def budget_spent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A scenario beside the built-in ones whose run halts after a few steps."""
    (tmp_path / "budget-spent.json").write_text(json.dumps(BUDGET_SPENT))
    monkeypatch.setattr(scenarios, "DIRECTORIES", [*scenarios.DIRECTORIES, tmp_path])
    scenarios.load_scenario.cache_clear()
    yield "budget-spent"
    scenarios.load_scenario.cache_clear()


@pytest.mark.parametrize(
    "frame",
    [
        {
            "action": "inject",
            "from": "desk",
            "to": "board",
            "message": {"type": "NoteTaken", "kind": "event"},
        },
        {"action": "fault", "op": "down", "node": "archive"},
    ],
    ids=["inject", "fault"],
)
async def test_a_halted_run_refuses_injects_and_faults_until_it_goes_back(
    budget_spent: str, frame: dict[str, Any]
) -> None:
    viewer, snapshot = await open_run(f"scenario={budget_spent}")
    while (hops := await ask(viewer, {"action": "step"}))["halted"] is None:
        pass
    run = run_of(snapshot)
    before = fingerprint(run)

    error = await ask(viewer, frame)

    assert (error["type"], error["code"], error["field"]) == ("error", "refused", "action")
    assert error["detail"] == "the run has halted; reset it to go on"
    assert error["seq"] == hops["seq"]
    assert fingerprint(run) == before
    assert (await ask(viewer, {"action": "back"}))["state"]["halted"] is None
    assert (await ask(viewer, frame))["type"] == "hops"  # before the halt, it applies
    await viewer.disconnect()
