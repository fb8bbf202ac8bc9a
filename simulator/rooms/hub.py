"""One server process's part in every room it has viewers of, or leads.

Each process has one channel on the channel layer, and joins a room's group while it has
viewers in the room (or leads it), so a group has one member per process, not one per
student: a frame costs one ``group_send`` however large the class. The process that holds
the room's lease (:mod:`.leases`) runs the room (:class:`RoomRun`) and publishes its frames
to the group; every process, the leader included, hands them on to its own viewers. Every
frame for a viewer, a snapshot it asked for included, reaches its process through that one
channel, so they arrive in the order the leader sent them.

Viewers that fall behind are not waited for: each connection may have ``WINDOW`` frames
unacknowledged; past that it gets nothing until it acknowledges, and then a fresh snapshot.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from channels.db import database_sync_to_async
from channels.layers import BaseChannelLayer, get_channel_layer
from django.conf import settings

from simulator.live.protocol import (
    Ack,
    CloseRoom,
    Export,
    FrameError,
    Resync,
    parse_room_frame,
)
from simulator.live.room import Audience, Entry, LostLease, RoomRun, stamp
from simulator.live.run import encode

from . import store
from .leases import Leases, LocalLeases, RedisLeases

log = logging.getLogger(__name__)

WINDOW = 120  # frames a connection may have unacknowledged: two seconds of a busy run
TICK_SECONDS = 1.0  # leases renewed, playing runs' positions logged, presence said
PRESENCE_FRESH_SECONDS = 5.0  # a process not heard of for this long has no viewers
RETRY_SECONDS = 0.5  # after the channel layer failed to answer
COALESCE_SECONDS = 0.25  # joins and leaves are told at most this often
CLOSE_GONE = 4410


@dataclass(eq=False)
class Viewer:
    role: str  # "presenter" or "student"
    voter: str | None  # the student's token; None for the presenter
    send: Callable[[str], Awaitable[None]]
    close: Callable[[int], Awaitable[None]]
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    sent: int = 0
    acked: int = 0
    stalled: bool = False
    waiting: bool = True  # for its snapshot: the frames before it mean nothing to it


@dataclass(eq=False)
class Here:
    """A room as this process sees it."""

    code: str
    viewers: dict[str, Viewer] = field(default_factory=dict)
    run: RoomRun | None = None  # while this process leads the room
    next_entry: int = 1
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    # process -> (its students, all its viewers, when it said so)
    presence: dict[str, tuple[int, int, float]] = field(default_factory=dict)
    students: int = 0  # the last count told to viewers
    seq: int = 0
    mine: dict[str, tuple[int, int]] = field(default_factory=dict)  # voter -> (poll, choice)
    in_group: bool = False
    due: set[str] = field(default_factory=set)  # what is to be said soon (see Hub._soon)

    def local_students(self) -> int:
        return sum(v.role == "student" for v in self.viewers.values())


def group(code: str) -> str:
    return f"room.{code}"


class Hub:
    def __init__(self) -> None:
        self.rooms: dict[str, Here] = {}
        self.channel = ""
        self._loop: asyncio.AbstractEventLoop | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._layer: BaseChannelLayer | None = None
        self._leases: Leases = LocalLeases()

    # ---- the process's channel ----------------------------------------------------------

    async def _ready(self) -> BaseChannelLayer:
        loop = asyncio.get_running_loop()
        if self._loop is not loop or self._layer is None:
            await self.reset()  # a new event loop (tests): nothing of the old one is usable
            self._loop = loop
            layer = get_channel_layer()
            assert layer is not None, "CHANNEL_LAYERS must be configured"
            self._layer = layer
            self._leases = (
                RedisLeases(settings.REDIS_URL, settings.MSGLAB_ROOM_LEASE_SECONDS)
                if settings.REDIS_URL
                else LocalLeases()
            )
            # The default prefix: channels_redis reads all of a process's "specific." channels
            # from one list, and a channel with a prefix of its own would wait behind the
            # consumers' reads of theirs.
            self.channel = await layer.new_channel()
            self._tasks = [
                loop.create_task(self._receive_forever()),
                loop.create_task(self._tick_forever()),
            ]
        return self._layer

    async def reset(self) -> None:
        """Forget every room and stop (tests; a process shutting down)."""
        tasks, self._tasks = self._tasks, []
        rooms, self.rooms = list(self.rooms.values()), {}
        for here in rooms:
            if here.run is not None:
                with contextlib.suppress(Exception):
                    await here.run.stop()
        for task in tasks:
            task.cancel()
            with contextlib.suppress(BaseException):
                await task
        self._layer = None

    async def _receive_forever(self) -> None:
        layer = self._layer
        assert layer is not None
        while True:
            try:
                message = await layer.receive(self.channel)
            except Exception:
                # Redis restarting, say: keep listening, and join the groups again (the tick
                # does), since a restarted Redis has forgotten them
                log.exception("rooms: cannot receive from the channel layer; retrying")
                for here in self.rooms.values():
                    here.in_group = False
                await asyncio.sleep(RETRY_SECONDS)
                continue
            try:
                await self._dispatch(message)
            except Exception:
                log.exception("room message %s failed", message.get("type"))

    async def _dispatch(self, message: dict[str, Any]) -> None:
        kind = message["type"]
        if kind == "room.frame":
            await self._fan_out(message)
        elif kind == "room.deliver":
            await self._deliver_one(message)
        elif kind == "room.presence":
            await self._presence(message)
        elif kind == "room.closed":
            await self._closed(message)
        elif kind in ("room.action", "room.snapshot"):
            # its own task, in the room's order: the database must not hold up other rooms
            here = self.rooms.get(message["room"]) or self._here(message["room"])
            asyncio.get_running_loop().create_task(self._lead_in_order(here, message))

    # ---- viewers, as the consumer sees them ---------------------------------------------

    def _here(self, code: str) -> Here:
        here = self.rooms.get(code)
        if here is None:
            here = self.rooms[code] = Here(code)
        return here

    async def enter(self, code: str, viewer: Viewer) -> None:
        layer = await self._ready()
        here = self._here(code)
        here.viewers[viewer.id] = viewer
        await self._join_group(layer, here)
        self._soon(here, "presence", self._say_presence)
        await self._ask_leader(here, viewer, {"action": "resync"})

    async def leave(self, code: str, viewer: Viewer) -> None:
        here = self.rooms.get(code)
        if here is None or here.viewers.pop(viewer.id, None) is None:
            return
        self._soon(here, "presence", self._say_presence)
        if not here.viewers and here.run is None:
            await self._forget(here)

    async def act(self, code: str, viewer: Viewer, frame_text: str) -> None:
        """Hand a checked frame from ``viewer`` to the room's leader, wherever it is."""
        await self._ask_leader(self._here(code), viewer, frame_text)

    async def ack(self, code: str, viewer: Viewer, frame: Ack) -> None:
        viewer.acked = max(viewer.acked, min(frame.frames, viewer.sent))
        if viewer.stalled and viewer.sent - viewer.acked <= WINDOW // 2:
            # it has read what it had: a fresh snapshot replaces what it missed
            viewer.stalled = False
            viewer.waiting = True
            await self._ask_leader(self._here(code), viewer, {"action": "resync"})

    async def _ask_leader(self, here: Here, viewer: Viewer, frame: str | dict[str, Any]) -> None:
        layer = await self._ready()
        text = frame if isinstance(frame, str) else encode(frame)
        message = {
            "type": "room.snapshot" if text == '{"action":"resync"}' else "room.action",
            "room": here.code,
            "frame": text,
            "viewer": viewer.id,
            "role": viewer.role,
            "voter": viewer.voter,
            "reply": self.channel,
        }
        leader = await self._leader(here)
        if leader == self.channel:
            await self._dispatch(message)
        else:
            await layer.send(leader, message)

    async def _leader(self, here: Here) -> str:
        """The channel of the process that leads the room: this one if nobody does."""
        holder = await self._leases.holder(here.code)
        if holder is not None:
            return holder
        if await self._leases.acquire(here.code, self.channel):
            return self.channel
        return await self._leader(here)  # another process took it just now

    # ---- leading a room -----------------------------------------------------------------

    async def _lead_in_order(self, here: Here, message: dict[str, Any]) -> None:
        async with here.lock:
            try:
                await self._lead(here, message)
            except LostLease as lost:
                log.warning("%s", lost)
                await self._step_down(here)
            except Exception:  # in a task of its own: nobody else would hear of it
                log.exception("room %s: %s failed", here.code, message["type"])

    async def _lead(self, here: Here, message: dict[str, Any]) -> None:
        holder = await self._leases.holder(here.code)
        if holder != self.channel:
            if here.run is not None:
                await self._step_down(here)
            if holder is None and await self._leases.acquire(here.code, self.channel):
                holder = self.channel
            elif holder is not None:  # not ours (any more): pass it on
                await self._ready_layer().send(holder, message)
                return
            else:
                return
        run = here.run or await self._take_over(here)
        if run is None:
            return
        reply = self._replier(message)
        await run.published()  # a reply must not overtake the frames before it
        if message["type"] == "room.snapshot":
            text = run.snapshot(message["role"], message["voter"])
            await reply(text, "all", snapshot=True)
            return
        try:
            frame = parse_room_frame(message["frame"])
            if isinstance(frame, CloseRoom):
                await self.close_room(here, "The presenter closed the room.")
            elif isinstance(frame, Resync):
                await reply(run.snapshot(message["role"], message["voter"]), "all", snapshot=True)
            elif isinstance(frame, Export):  # for the one who asked, and not for the log
                await reply(await run.live.export(frame.format), "all")
            else:
                await run.act(frame, message["voter"], reply)
        except FrameError as error:
            await reply(encode(error.frame(run.sim.seq)), "all")

    def _replier(self, message: dict[str, Any]) -> Callable[..., Awaitable[None]]:
        layer, to, viewer, room = (
            self._ready_layer(),
            message["reply"],
            message["viewer"],
            message["room"],
        )

        async def reply(text: str, audience: Audience, snapshot: bool = False) -> None:
            deliver = {"type": "room.deliver", "room": room, "viewer": viewer, "text": text}
            deliver["snapshot"] = snapshot
            # through the channel even to this process: behind the frames published before it
            await layer.send(to, deliver)

        return reply

    def _ready_layer(self) -> BaseChannelLayer:
        assert self._layer is not None
        return self._layer

    async def _take_over(self, here: Here) -> RoomRun | None:
        """Rebuild the room from its log and start publishing it (called with the lease)."""
        found = await database_sync_to_async(store.rebuild)(here.code)
        if found is None:
            await self._leases.release(here.code, self.channel)
            return None
        code = here.code

        async def write(entry: Entry) -> None:
            number = here.next_entry
            await database_sync_to_async(store.append)(code, number, entry)
            here.next_entry = number + 1

        async def vote(poll: int, voter: str, choice: int) -> bool:
            stored: bool = await database_sync_to_async(store.vote)(code, poll, voter, choice)
            return stored

        run = RoomRun(code, found.topology, self._publisher(here), write, vote, found.questions)
        run.info = store.describe(found.room)
        entries = found.entries
        await run.replay(entries, found.votes)
        here.next_entry = len(entries) + 1
        run.students = self._students(here)
        here.run = run
        await self._join_group(self._ready_layer(), here)
        await run.start()  # everyone, on every process, gets a snapshot of the rebuilt run
        log.info("room %s: leading, rebuilt from %d log entries", code, len(entries))
        return run

    def _publisher(self, here: Here) -> Callable[[str, Audience], Awaitable[None]]:
        layer, code = self._ready_layer(), here.code

        async def publish(text: str, audience: Audience) -> None:
            run = here.run
            poll = run.poll["id"] if run is not None and run.poll is not None else None
            await layer.group_send(
                group(code),
                {
                    "type": "room.frame",
                    "room": code,
                    "text": text,
                    "audience": audience,
                    "snapshot": text.startswith('{"type":"snapshot"'),
                    "seq": run.sim.seq if run is not None else 0,
                    "poll": poll,
                },
            )

        return publish

    async def _step_down(self, here: Here) -> None:
        run, here.run = here.run, None
        if run is not None:
            await run.stop()
        await self._leases.release(here.code, self.channel)

    async def close_room(self, here: Here, reason: str) -> None:
        await database_sync_to_async(store.close)(here.code, reason)
        seq = here.run.sim.seq if here.run is not None else here.seq
        await self._ready_layer().group_send(
            group(here.code),
            {"type": "room.closed", "room": here.code, "reason": reason, "seq": seq},
        )
        await self._step_down(here)

    # ---- handing frames on to this process's viewers ------------------------------------

    async def _fan_out(self, message: dict[str, Any]) -> None:
        here = self.rooms.get(message["room"])
        if here is None:
            return
        here.seq = message["seq"]
        text, audience, snapshot = message["text"], message["audience"], message["snapshot"]
        for viewer in list(here.viewers.values()):
            if audience == "presenter" and viewer.role != "presenter":
                continue
            if audience == "students" and viewer.role == "presenter":
                continue
            if viewer.waiting and not snapshot:
                continue
            shown = text
            if viewer.voter is not None and (snapshot or text.startswith('{"type":"poll"')):
                shown = self._with_answer(here, viewer, text, message["poll"])
            await self._deliver(viewer, shown, snapshot)

    @staticmethod
    def _with_answer(here: Here, viewer: Viewer, text: str, poll: int | None) -> str:
        mine = here.mine.get(viewer.voter or "")
        if mine is None or mine[0] != poll:
            return text
        return text.replace('"mine":null', f'"mine":{mine[1]}', 1)

    async def _deliver_one(self, message: dict[str, Any]) -> None:
        here = self.rooms.get(message["room"])
        viewer = here.viewers.get(message["viewer"]) if here is not None else None
        if here is None or viewer is None:
            return
        text = message["text"]
        if text.startswith('{"type":"poll"') and viewer.voter is not None:
            self._remember_answer(here, viewer, text)
        await self._deliver(viewer, text, message.get("snapshot", False))

    @staticmethod
    def _remember_answer(here: Here, viewer: Viewer, text: str) -> None:
        poll = json.loads(text)["poll"]
        if poll is not None and poll.get("mine") is not None:
            here.mine[viewer.voter or ""] = (poll["id"], poll["mine"])

    async def _deliver(self, viewer: Viewer, text: str, snapshot: bool) -> None:
        if snapshot:
            viewer.waiting = False
        elif viewer.sent - viewer.acked >= WINDOW:
            viewer.stalled = True  # nothing more until it acknowledges; then a snapshot
            return
        if viewer.stalled and not snapshot:
            return
        viewer.sent += 1
        try:
            await viewer.send(text)
        except Exception:  # a connection closing under us: its consumer will leave
            log.debug("could not send to viewer %s", viewer.id, exc_info=True)

    # ---- presence: how many students, on every process ----------------------------------

    def _soon(self, here: Here, what: str, say: Callable[[Here], Awaitable[None]]) -> None:
        """Say it in a moment, once for however many changes come in the meantime: a class
        joining at once must not cost a message per student to every student."""
        if what in here.due:
            return
        here.due.add(what)

        async def later() -> None:
            await asyncio.sleep(COALESCE_SECONDS)
            here.due.discard(what)
            try:
                await say(here)
            except Exception:
                log.exception("room %s: could not say %s", here.code, what)

        asyncio.get_running_loop().create_task(later())

    async def _say_presence(self, here: Here) -> None:
        await self._ready_layer().group_send(
            group(here.code),
            {
                "type": "room.presence",
                "room": here.code,
                "process": self.channel,
                "students": here.local_students(),
                "viewers": len(here.viewers),
            },
        )

    def _students(self, here: Here, *, everyone: bool = False) -> int:
        fresh = time.monotonic() - PRESENCE_FRESH_SECONDS
        return sum(
            viewers if everyone else students
            for students, viewers, heard in here.presence.values()
            if heard >= fresh
        )

    async def _presence(self, message: dict[str, Any]) -> None:
        here = self.rooms.get(message["room"])
        if here is None:
            return
        here.presence[message["process"]] = (
            message["students"],
            message["viewers"],
            time.monotonic(),
        )
        self._soon(here, "count", self._tell_students)

    async def _tell_students(self, here: Here) -> None:
        students = self._students(here)
        if here.run is not None:
            here.run.students = students
        if students == here.students:
            return
        here.students = students
        text = stamp(encode({"type": "room", "seq": here.seq, "students": students}))
        for viewer in list(here.viewers.values()):
            if not viewer.waiting:
                await self._deliver(viewer, text, False)

    async def _closed(self, message: dict[str, Any]) -> None:
        here = self.rooms.pop(message["room"], None)
        if here is None:
            return
        text = encode({"type": "closed", "seq": message["seq"], "reason": message["reason"]})
        for viewer in list(here.viewers.values()):
            with contextlib.suppress(Exception):
                await viewer.send(text)
                await viewer.close(CLOSE_GONE)
        await self._leave_group(here)

    # ---- the process's heartbeat --------------------------------------------------------

    async def _tick_forever(self) -> None:
        while True:
            await asyncio.sleep(TICK_SECONDS)
            for here in list(self.rooms.values()):
                try:
                    await self._tick(here)
                except Exception:
                    log.exception("room %s: tick failed", here.code)

    async def _tick(self, here: Here) -> None:
        if here.viewers or here.run is not None:
            # again and again: a restarted Redis forgets groups, and channels_redis lets a
            # membership lapse after a day
            here.in_group = False
            await self._join_group(self._ready_layer(), here)
        if here.viewers:
            await self._say_presence(here)
        await self._tell_students(here)
        if here.run is not None:
            # renewed first, before any lock or database: a busy room must not lose its lease
            if not await self._leases.renew(here.code, self.channel):
                log.warning("room %s: lease lost; another process leads it now", here.code)
                async with here.lock:
                    await self._step_down(here)
                return
            async with here.lock:
                await self._tick_leader(here)
        elif (
            here.viewers
            and await self._leases.holder(here.code) is None
            and await self._leases.acquire(here.code, self.channel)
        ):
            # the leader is gone (its process died): take the room over from its log
            async with here.lock:
                if here.run is None:
                    await self._take_over(here)

    async def _tick_leader(self, here: Here) -> None:
        run = here.run
        if run is None:  # stepped down while the lock was waited for
            return
        try:
            await run.checkpoint()
        except LostLease:
            await self._step_down(here)
            return
        reason = await database_sync_to_async(store.gone_by_code)(here.code)
        if reason:
            await self.close_room(here, reason)
        elif not here.viewers and self._students(here, everyone=True) == 0:
            await self._step_down(here)  # nobody watches anywhere: the log keeps the room
            await self._forget(here)

    async def _join_group(self, layer: BaseChannelLayer, here: Here) -> None:
        if not here.in_group:
            here.in_group = True
            await layer.group_add(group(here.code), self.channel)

    async def _leave_group(self, here: Here) -> None:
        if here.in_group and self._layer is not None:
            here.in_group = False
            await self._layer.group_discard(group(here.code), self.channel)

    async def _forget(self, here: Here) -> None:
        if self.rooms.get(here.code) is here:
            del self.rooms[here.code]
        await self._leave_group(here)


HUB = Hub()
