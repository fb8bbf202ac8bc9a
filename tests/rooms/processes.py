"""Rooms on real server processes: start one over HTTP as a presenter's browser does, and
connect presenters and students with the `websockets` client (Origin and cookies set)."""

from __future__ import annotations

import asyncio
import json
import re
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Origin


def start_room(base: str, source: str = "scenario:order-flow") -> tuple[str, str]:
    """POST /rooms/new/ with a CSRF token, as the "Present to a class" form does: the room's
    code and the presenter cookie's value."""
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.open(f"{base}/join/").read()
    token = next(c.value for c in jar if c.name == "csrftoken")
    body = urllib.parse.urlencode({"source": source, "csrfmiddlewaretoken": token}).encode()
    request = urllib.request.Request(f"{base}/rooms/new/", data=body, headers={"Referer": base})
    response = opener.open(request)
    match = re.search(r"/rooms/([A-Z]{7})/present/", response.url)
    assert match, response.url
    code = match.group(1)
    secret = next(c.value for c in jar if c.name == f"msglab_presenter_{code}")
    assert secret is not None
    return code, secret


async def open_socket(base: str, code: str, cookie: str) -> ClientConnection:
    url = base.replace("http://", "ws://", 1) + f"/ws/room/{code}/"
    return await connect(
        url, origin=Origin(base), additional_headers={"Cookie": cookie}, ping_interval=None
    )


async def next_of(ws: ClientConnection, kind: str, timeout: float = 10) -> dict[str, Any]:
    async with asyncio.timeout(timeout):
        while True:
            frame: dict[str, Any] = json.loads(await ws.recv())
            if frame["type"] == kind:
                return frame
            assert frame["type"] != "error", frame
