"""A room over /ws/room/CODE/: the presenter drives, students follow, and only the presenter
may drive (through the real ASGI app with WebsocketCommunicators)."""

from __future__ import annotations

import pytest

from tests.rooms.people import leader_run, next_of, presenter, start_room, student

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

STUDENT_A = "student-a-token-000000"
STUDENT_B = "student-b-token-000000"


async def test_presenter_and_student_get_a_snapshot_with_their_role() -> None:
    code, secret = await start_room()
    teacher, snap = await presenter(code, secret)
    assert snap["type"] == "snapshot"
    assert snap["room"]["role"] == "presenter"
    assert snap["room"]["code"] == code
    pupil, snap = await student(code, STUDENT_A)
    assert snap["type"] == "snapshot"
    assert snap["room"]["role"] == "student"
    await teacher.disconnect()
    await pupil.disconnect()


async def test_a_student_sees_each_step_of_the_presenter() -> None:
    code, secret = await start_room()
    teacher, _ = await presenter(code, secret)
    pupil, _ = await student(code, STUDENT_A)
    for seq in (1, 2, 3):
        await teacher.send_json_to({"action": "step"})
        hops = await next_of(pupil, "hops")
        assert hops["items"][-1]["seq"] >= seq
        assert "at" in hops
    await teacher.send_json_to({"action": "back"})
    back = await next_of(pupil, "snapshot")
    assert back["room"]["role"] == "student"
    assert back["state"]["steps"] == 2
    await teacher.disconnect()
    await pupil.disconnect()


async def test_a_students_control_frame_is_refused_and_changes_nothing() -> None:
    code, secret = await start_room()
    teacher, _ = await presenter(code, secret)
    pupil, _ = await student(code, STUDENT_A)
    await teacher.send_json_to({"action": "step"})
    await next_of(pupil, "hops")
    run = leader_run(code)
    before = run.sim.fingerprint(), run.live.playing
    for frame in (
        {"action": "step"},
        {"action": "play"},
        {"action": "reset"},
        {"action": "spotlight", "node": "billing"},
        {"action": "close_room"},
    ):
        await pupil.send_json_to(frame)
        error = await next_of(pupil, "error")
        assert error["code"] == "forbidden"
        assert error["field"] == "action"
    assert (run.sim.fingerprint(), run.live.playing) == before
    await teacher.disconnect()
    await pupil.disconnect()


async def test_a_wrong_presenter_secret_makes_a_student() -> None:
    code, _ = await start_room()
    stranger, snap = await presenter(code, "not-the-secret")
    assert snap["room"]["role"] == "student"
    await stranger.send_json_to({"action": "step"})
    assert (await next_of(stranger, "error"))["code"] == "forbidden"
    await stranger.disconnect()


async def test_the_presenter_is_told_how_many_students_follow() -> None:
    code, secret = await start_room()
    teacher, _ = await presenter(code, secret)
    pupils = [(await student(code, f"student-{n}-token-0000000"))[0] for n in range(3)]
    count = await next_of(teacher, "room")
    while count["students"] < 3:  # joins are told together, at most four times a second
        count = await next_of(teacher, "room")
    assert count["students"] == 3
    await pupils[0].disconnect()
    assert (await next_of(teacher, "room"))["students"] == 2
    for pupil in pupils[1:]:
        await pupil.disconnect()
    await teacher.disconnect()
