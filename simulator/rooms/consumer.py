"""A room's WebSocket endpoint: /ws/room/CODE/ (docs/protocol.md, Rooms).

It adapts a socket to the process's hub: it finds the room, tells the presenter from the
students by the presenter cookie, and checks every frame, including whether this
connection's role may send it, before the hub hands it to the room's leader.
"""

from __future__ import annotations

import re
import secrets

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings

from simulator.live.limits import TokenBucket, admit
from simulator.live.protocol import Ack, FrameError, Vote, parse_room_frame
from simulator.live.room import presenter_only
from simulator.live.run import encode

from . import codes, guard, store
from .hub import CLOSE_GONE, HUB, Viewer

CLOSE_UNKNOWN_ROOM = 4404
CLOSE_TOO_MANY_GUESSES = 4429
STUDENT_COOKIE = "msglab_student"
TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def presenter_cookie(code: str) -> str:
    return f"msglab_presenter_{code}"


class RoomConsumer(AsyncWebsocketConsumer):
    viewer: Viewer | None = None
    code = ""

    async def connect(self) -> None:
        self.code = codes.normalise(self.scope["url_route"]["kwargs"]["code"])
        address = (self.scope.get("client") or ["unknown"])[0]
        await self.accept()
        if await guard.ablocked(address):
            await self.refuse(
                FrameError("rate_limited", "too many wrong room codes; wait a minute")
            )
            await self.close(code=CLOSE_TOO_MANY_GUESSES)
            return
        room = await database_sync_to_async(store.find)(self.code)
        if room is None:
            await guard.amissed(address)
            await self.refuse(FrameError("unknown_room", f"no room with the code {self.code!r}"))
            await self.close(code=CLOSE_UNKNOWN_ROOM)
            return
        reason = await database_sync_to_async(store.gone)(room)
        if reason:
            await self.send(text_data=encode({"type": "closed", "seq": 0, "reason": reason}))
            await self.close(code=CLOSE_GONE)
            return
        cookies = self.scope.get("cookies", {})
        if store.is_presenter(room, cookies.get(presenter_cookie(self.code))):
            role, voter = "presenter", None
        else:
            token = cookies.get(STUDENT_COOKIE, "")
            role, voter = "student", token if TOKEN.match(token) else secrets.token_urlsafe(16)
        self.bucket = TokenBucket(
            rate=settings.MSGLAB_FRAMES_PER_SECOND, burst=settings.MSGLAB_FRAMES_PER_SECOND
        )
        self.viewer = Viewer(role, voter, self.send_text, self.close_gone)
        await HUB.enter(self.code, self.viewer)

    async def disconnect(self, code: int) -> None:
        if self.viewer is not None:
            await HUB.leave(self.code, self.viewer)
            self.viewer = None

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        viewer = self.viewer
        if viewer is None:
            return  # closing
        try:
            text = admit(self.bucket, text_data)
            frame = parse_room_frame(text)
            if isinstance(frame, Ack):
                await HUB.ack(self.code, viewer, frame)
                return
            if viewer.role != "presenter" and presenter_only(frame):
                raise FrameError(
                    "forbidden", f"only the presenter can {frame.action} in a room", "action"
                )
            if viewer.role == "presenter" and isinstance(frame, Vote):
                raise FrameError("forbidden", "the presenter does not vote", "action")
            await HUB.act(self.code, viewer, text)
        except FrameError as error:
            await self.refuse(error)

    async def send_text(self, text: str) -> None:
        await self.send(text_data=text)

    async def close_gone(self, code: int) -> None:
        self.viewer = None
        await self.close(code=code)

    async def refuse(self, error: FrameError) -> None:
        here = HUB.rooms.get(self.code)
        await self.send(text_data=encode(error.frame(here.seq if here else 0)))
