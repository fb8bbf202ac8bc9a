"""Polls in a room: the presenter asks, students answer once each, the presenter sees the
counts, and a reveal shows everyone the answer (real ASGI app, WebsocketCommunicators)."""

from __future__ import annotations

from typing import Any

import pytest
from channels.testing import WebsocketCommunicator

from simulator.models import Vote
from simulator.rooms.hub import HUB
from tests.rooms.people import next_of, presenter, start_room, student

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

ANNA, BEN = "anna-token-0000000000", "ben-token-00000000000"


async def _event_on_the_way(teacher: WebsocketCommunicator) -> str:
    """Step until the run has an event; its message id."""
    while True:
        await teacher.send_json_to({"action": "step"})
        hops = await next_of(teacher, "hops")
        for item in hops["items"]:
            if item["message"]["kind"] == "event":
                message_id: str = item["message"]["id"]
                return message_id


async def _poll(viewer: WebsocketCommunicator) -> dict[str, Any]:
    frame = await next_of(viewer, "poll")
    poll: dict[str, Any] = frame["poll"]
    return poll


async def test_a_poll_counts_one_vote_per_student_reconnects_included() -> None:
    code, secret = await start_room()
    teacher, _ = await presenter(code, secret)
    anna, _ = await student(code, ANNA)
    ben, _ = await student(code, BEN)
    message = await _event_on_the_way(teacher)

    await teacher.send_json_to({"action": "poll", "message": message})
    asked = await _poll(teacher)
    assert asked["choices"] == ["A command", "An event"]
    assert asked["answer"] == 1  # the presenter knows it from the start
    seen = await _poll(anna)
    assert seen["state"] == "open"
    assert seen["answer"] is None and seen["counts"] is None  # students do not, yet
    await _poll(ben)

    await anna.send_json_to({"action": "vote", "poll": asked["id"], "choice": 1})
    assert (await _poll(anna))["mine"] == 1
    assert (await _poll(teacher))["counts"] == [0, 1]

    # Anna reconnects: her answer is still hers, and a second one is refused
    await anna.disconnect()
    anna, snap = await student(code, ANNA)
    assert snap["room"]["poll"]["mine"] == 1
    await anna.send_json_to({"action": "vote", "poll": asked["id"], "choice": 0})
    refused = await next_of(anna, "error")
    assert refused["code"] == "refused"
    assert refused["field"] == "poll"

    await ben.send_json_to({"action": "vote", "poll": asked["id"], "choice": 0})
    await _poll(ben)
    counts = await _poll(teacher)
    assert counts["counts"] == [1, 1]
    assert counts["votes"] == 2
    assert await Vote.objects.filter(room_id=code).acount() == 2

    await teacher.send_json_to({"action": "reveal"})
    revealed = await _poll(ben)
    assert revealed["state"] == "revealed"
    assert revealed["answer"] == 1
    assert revealed["counts"] == [1, 1]
    assert revealed["mine"] == 0  # each student's own answer, in the frame the class shares
    for viewer in (teacher, anna, ben):
        await viewer.disconnect()


async def test_a_lesson_room_asks_the_lessons_own_questions() -> None:
    code, secret = await start_room("lesson:order-flow")
    teacher, _ = await presenter(code, secret)
    await teacher.send_json_to({"action": "poll", "question": "q1"})
    poll = await _poll(teacher)
    assert poll["question"]
    assert len(poll["choices"]) >= 2
    await teacher.send_json_to({"action": "poll", "question": "q99"})
    error = await next_of(teacher, "error")
    assert error["code"] == "invalid"
    assert error["field"] == "question"
    await teacher.disconnect()


async def test_command_or_event_is_refused_for_a_message_that_does_not_exist_yet() -> None:
    code, secret = await start_room()
    teacher, _ = await presenter(code, secret)
    await teacher.send_json_to({"action": "poll", "message": "m1"})
    error = await next_of(teacher, "error")
    assert (error["code"], error["field"]) == ("invalid", "message")
    await teacher.disconnect()


async def test_a_vote_on_a_dismissed_poll_is_refused_and_not_stored() -> None:
    code, secret = await start_room()
    teacher, _ = await presenter(code, secret)
    anna, _ = await student(code, ANNA)
    message = await _event_on_the_way(teacher)
    await teacher.send_json_to({"action": "poll", "message": message})
    poll = await _poll(teacher)
    await _poll(anna)
    await teacher.send_json_to({"action": "dismiss"})
    assert (await _poll(anna))["state"] == "dismissed"
    await anna.send_json_to({"action": "vote", "poll": poll["id"], "choice": 0})
    assert (await next_of(anna, "error"))["code"] == "refused"
    assert await Vote.objects.filter(room_id=code).acount() == 0
    await teacher.disconnect()
    await anna.disconnect()


async def test_the_spotlight_reaches_every_student_and_later_joiners() -> None:
    code, secret = await start_room()
    teacher, _ = await presenter(code, secret)
    anna, _ = await student(code, ANNA)
    await teacher.send_json_to({"action": "spotlight", "node": "billing"})
    spot = await next_of(anna, "spotlight")
    assert spot["target"] == {"node": "billing"}
    ben, snap = await student(code, BEN)
    assert snap["room"]["spotlight"] == {"node": "billing"}
    await teacher.send_json_to({"action": "spotlight", "node": "nowhere"})
    error = await next_of(teacher, "error")
    assert (error["code"], error["field"]) == ("invalid", "node")
    await teacher.send_json_to({"action": "spotlight"})
    assert (await next_of(ben, "spotlight"))["target"] is None
    for viewer in (teacher, anna, ben):
        await viewer.disconnect()


async def test_votes_survive_a_rebuilt_room() -> None:
    code, secret = await start_room()
    teacher, _ = await presenter(code, secret)
    anna, _ = await student(code, ANNA)
    message = await _event_on_the_way(teacher)
    await teacher.send_json_to({"action": "poll", "message": message})
    poll = await _poll(teacher)
    await _poll(anna)
    await anna.send_json_to({"action": "vote", "poll": poll["id"], "choice": 0})
    await _poll(anna)
    await teacher.disconnect()
    await anna.disconnect()

    await HUB.reset()  # the process is gone

    teacher, snap = await presenter(code, secret)
    assert snap["room"]["poll"]["counts"] == [1, 0]
    anna, snap = await student(code, ANNA)
    assert snap["room"]["poll"]["mine"] == 0
    await anna.send_json_to({"action": "vote", "poll": poll["id"], "choice": 1})
    assert (await next_of(anna, "error"))["code"] == "refused"
    await teacher.disconnect()
    await anna.disconnect()
