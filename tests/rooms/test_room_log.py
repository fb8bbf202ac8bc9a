"""Event-sourced rooms: the log in the database rebuilds the run exactly, as a restarted
process does; a closed or expired room says so; a connection that falls behind is not waited
for and catches up with a snapshot."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone

from simulator.live.protocol import parse_room_frame
from simulator.models import Room, RoomAction
from simulator.rooms.hub import HUB, WINDOW
from tests.live.viewers import INJECT
from tests.rooms.people import connect, leader_run, next_of, presenter, start_room, student

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

ANNA = "anna-token-0000000000"


async def test_a_room_rebuilt_from_its_log_is_the_same_run() -> None:
    code, secret = await start_room()
    teacher, _ = await presenter(code, secret)
    for frame in (
        {"action": "step"},
        {"action": "step"},
        INJECT,
        {"action": "fault", "op": "down", "node": "billing"},
        {"action": "speed", "value": 2},
        {"action": "step"},
        {"action": "step"},
        {"action": "step"},
        {"action": "back"},
        {"action": "spotlight", "node": "orders"},
        {"action": "step"},
    ):
        await teacher.send_json_to(frame)
        await next_of(
            teacher,
            "spotlight"
            if frame["action"] == "spotlight"
            else "snapshot"
            if frame["action"] == "back"
            else "state"
            if frame["action"] == "speed"
            else "hops",
        )
    run = leader_run(code)
    before = (run.sim.fingerprint(), run.sim.trace(), run.live.speed, run.spotlight)
    assert await RoomAction.objects.filter(room_id=code).acount() == 11
    await teacher.disconnect()

    await HUB.reset()  # the process is gone: nothing of the room is left in memory

    pupil, snap = await student(code, ANNA)
    rebuilt = leader_run(code)
    assert rebuilt is not run
    assert (rebuilt.sim.fingerprint(), rebuilt.sim.trace()) == before[:2]
    assert (rebuilt.live.speed, rebuilt.spotlight) == before[2:]
    assert snap["seq"] == run.sim.seq
    assert snap["room"]["spotlight"] == {"node": "orders"}
    await pupil.disconnect()


async def test_a_refused_action_is_not_logged() -> None:
    code, secret = await start_room()
    teacher, _ = await presenter(code, secret)
    await teacher.send_json_to({"action": "back"})
    assert (await next_of(teacher, "error"))["code"] == "refused"
    await teacher.send_json_to({"action": "fault", "op": "down", "node": "nowhere"})
    assert (await next_of(teacher, "error"))["code"] == "invalid"
    assert await RoomAction.objects.filter(room_id=code).acount() == 0
    await teacher.disconnect()


async def test_closing_the_room_tells_everyone_and_ends_their_connections() -> None:
    code, secret = await start_room()
    teacher, _ = await presenter(code, secret)
    pupil, _ = await student(code, ANNA)
    await teacher.send_json_to({"action": "close_room"})
    closed = await next_of(pupil, "closed")
    assert closed["reason"] == "The presenter closed the room."
    assert (await pupil.receive_output(timeout=5))["code"] == 4410
    room = await Room.objects.aget(code=code)
    assert room.closed_at is not None
    again, first = await connect(code)
    assert first["type"] == "closed"
    assert (await again.receive_output(timeout=5))["code"] == 4410


async def test_an_expired_room_cannot_be_joined() -> None:
    code, _ = await start_room()
    await Room.objects.filter(code=code).aupdate(last_active=timezone.now() - timedelta(days=1))
    viewer, first = await connect(code)
    assert first["type"] == "closed"
    assert "expired" in first["reason"]
    assert (await viewer.receive_output(timeout=5))["code"] == 4410


async def test_an_unknown_room_is_refused_with_4404() -> None:
    viewer, first = await connect("ABCDEFG")
    assert first["type"] == "error"
    assert first["code"] == "unknown_room"
    assert (await viewer.receive_output(timeout=5))["code"] == 4404


async def test_a_student_who_does_not_acknowledge_gets_no_more_than_the_window() -> None:
    code, secret = await start_room()
    teacher, _ = await presenter(code, secret)
    slow, _ = await student(code, ANNA)
    run = leader_run(code)
    inject = parse_room_frame(json.dumps(INJECT))
    # past the presenter's rate limit: the room's run is driven directly, as its leader does
    for _ in range(WINDOW + 20):
        await run.act(inject, None, _no_reply)
    here = HUB.rooms[code]
    while here.seq < run.sim.seq:  # until every frame has been handed on
        await next_of(teacher, "hops")
    viewer = next(v for v in here.viewers.values() if v.role == "student")
    assert viewer.stalled
    assert viewer.sent == WINDOW
    received = 0
    while not await slow.receive_nothing(timeout=0.2):
        await slow.receive_json_from()
        received += 1
    assert received == WINDOW - 1  # its snapshot on connect was the first of the window
    await slow.send_json_to({"action": "ack", "frames": WINDOW})
    fresh = await next_of(slow, "snapshot")
    assert fresh["seq"] == run.sim.seq
    await teacher.disconnect()
    await slow.disconnect()


async def _no_reply(text: str, audience: str) -> None:
    raise AssertionError(f"an inject has no reply of its own: {text}")


async def test_guessing_codes_over_the_socket_is_limited_like_the_join_form(
    settings: Any,
) -> None:
    settings.MSGLAB_JOIN_GUESSES_PER_MINUTE = 2
    await cache.aclear()
    code, _ = await start_room()
    for guess in ("ABCDEFG", "BCDEFGH"):
        _, first = await connect(guess)
        assert first["code"] == "unknown_room"
    viewer, first = await connect(code)  # a right code, too late
    assert (first["type"], first["code"]) == ("error", "rate_limited")
    assert (await viewer.receive_output(timeout=5))["code"] == 4429
    await cache.aclear()
