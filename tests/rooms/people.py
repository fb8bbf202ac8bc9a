"""Helpers for the room tests: a room in the database, and a presenter and students connected
to it through the real ASGI app (WebsocketCommunicator, with our Origin and their cookies)."""

from __future__ import annotations

import asyncio
from typing import Any

from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from config.asgi import application
from simulator.rooms import store
from simulator.rooms.consumer import STUDENT_COOKIE, presenter_cookie
from simulator.rooms.hub import HUB

ORIGIN = (b"origin", b"http://testserver")


async def start_room(source: str = "scenario:order-flow") -> tuple[str, str]:
    """A new room's code and presenter secret."""
    room, secret = await database_sync_to_async(store.start)(source)
    return room.code, secret


async def connect(code: str, cookie: str = "") -> tuple[WebsocketCommunicator, dict[str, Any]]:
    """A connection to room ``code`` with a Cookie header, and its first frame."""
    headers = [ORIGIN] + ([(b"cookie", cookie.encode())] if cookie else [])
    viewer = WebsocketCommunicator(application, f"/ws/room/{code}/", headers=headers)
    connected, _ = await viewer.connect()
    assert connected
    first = await viewer.receive_json_from(timeout=5)
    return viewer, first


async def presenter(code: str, secret: str) -> tuple[WebsocketCommunicator, dict[str, Any]]:
    return await connect(code, f"{presenter_cookie(code)}={secret}")


async def student(code: str, token: str) -> tuple[WebsocketCommunicator, dict[str, Any]]:
    return await connect(code, f"{STUDENT_COOKIE}={token}")


async def next_of(viewer: WebsocketCommunicator, kind: str, timeout: float = 5) -> dict[str, Any]:
    """Frames until one of type ``kind`` (``room`` counts and the like are skipped)."""
    while True:
        frame: dict[str, Any] = await viewer.receive_json_from(timeout=timeout)
        if frame["type"] == kind:
            return frame
        assert frame["type"] != "error", frame


async def quiet(viewer: WebsocketCommunicator) -> None:
    """Wait until everything sent so far has been handed on (the hub works in tasks)."""
    for _ in range(20):
        await asyncio.sleep(0.01)


def leader_run(code: str) -> Any:
    here = HUB.rooms.get(code)
    assert here is not None and here.run is not None
    return here.run
