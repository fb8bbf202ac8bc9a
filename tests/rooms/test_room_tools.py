"""Issue 12's tools in a room: anyone may export, only the presenter sets breakpoints or
subscribes a service, and both are in the room's log."""

from __future__ import annotations

import pytest

from simulator.exports import export
from simulator.models import RoomAction
from simulator.rooms.hub import HUB
from tests.rooms.people import leader_run, next_of, presenter, start_room, student

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

ANNA = "anna-token-0000000000"
BREAK = {"action": "breakpoint", "type": "OrderCreatedEvent", "node": "inventory"}
JOIN = {"action": "subscribe", "node": "invoices", "to": "order.events"}


async def test_a_student_may_export_the_run_and_only_that_student_gets_it() -> None:
    code, secret = await start_room()
    teacher, _ = await presenter(code, secret)
    pupil, _ = await student(code, ANNA)
    for _ in range(3):
        await teacher.send_json_to({"action": "step"})
        await next_of(pupil, "hops")
    await pupil.send_json_to({"action": "export", "format": "mermaid"})
    frame = await next_of(pupil, "export")
    run = leader_run(code)
    expected = export(run.live.view, run.sim.trace(), "mermaid", run.live.topology.name)
    assert frame["text"] == expected.text
    while not await teacher.receive_nothing(timeout=0.2):  # room counts may still come
        assert (await teacher.receive_json_from())["type"] != "export"
    assert await RoomAction.objects.filter(room_id=code).acount() == 3  # not logged
    await teacher.disconnect()
    await pupil.disconnect()


async def test_a_student_may_not_set_breakpoints_or_subscribe_services() -> None:
    code, secret = await start_room()
    teacher, _ = await presenter(code, secret)
    pupil, _ = await student(code, ANNA)
    for frame in (BREAK, JOIN):
        await pupil.send_json_to(frame)
        error = await next_of(pupil, "error")
        assert error["code"] == "forbidden"
    run = leader_run(code)
    assert run.live.breakpoints == {}
    assert run.sim.subscriptions() == []
    await teacher.disconnect()
    await pupil.disconnect()


async def test_a_breakpoint_pauses_the_room_for_every_student() -> None:
    code, secret = await start_room()
    teacher, _ = await presenter(code, secret)
    pupil, _ = await student(code, ANNA)
    await teacher.send_json_to(BREAK)
    await next_of(pupil, "breakpoints")
    await teacher.send_json_to({"action": "speed", "value": 8})
    await teacher.send_json_to({"action": "play"})
    state = await next_of(pupil, "state")
    while "hit" not in state:
        assert not state["finished"]
        state = await next_of(pupil, "state")
    assert state["playing"] is False
    assert (state["hit"]["type"], state["hit"]["node"]) == ("OrderCreatedEvent", "inventory")
    assert leader_run(code).live.playing is False
    await teacher.disconnect()
    await pupil.disconnect()


async def test_breakpoints_and_subscriptions_reach_students_and_survive_a_rebuild() -> None:
    code, secret = await start_room()
    teacher, _ = await presenter(code, secret)
    pupil, _ = await student(code, ANNA)
    await teacher.send_json_to(BREAK)
    told = await next_of(pupil, "breakpoints")
    assert told["items"] == [{"type": "OrderCreatedEvent", "node": "inventory"}]
    await teacher.send_json_to(JOIN)
    rewired = await next_of(pupil, "snapshot")
    services = {n["id"]: n for n in rewired["topology"]["nodes"]}
    assert services["invoices"]["subscribes"] == ["order.events"]
    before = leader_run(code).sim.fingerprint()
    await teacher.disconnect()
    await pupil.disconnect()

    await HUB.reset()  # the process is gone: the room comes back from its log

    again, snap = await student(code, ANNA)
    assert snap["breakpoints"] == [{"type": "OrderCreatedEvent", "node": "inventory"}]
    assert {n["id"]: n for n in snap["topology"]["nodes"]}["invoices"]["subscribes"] == [
        "order.events"
    ]
    assert leader_run(code).sim.fingerprint() == before
    await again.disconnect()
