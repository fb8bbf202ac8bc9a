"""Rooms across real server processes: a Daphne killed with SIGKILL and started again
rebuilds its room from the database; with Redis, a presenter on one process reaches students
on another, and killing the process that leads the room hands it to the other without losing
an action."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from pathlib import Path
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed, InvalidStatus

from tests.browser import missing
from tests.rooms.processes import next_of, open_socket, start_room
from tests.servers import RunningServer, daphne_server, redis_server

pytestmark = [pytest.mark.asyncio, pytest.mark.subprocess]

STUDENT = "msglab_student=student-token-00000000"
LEASE_SECONDS = "2"


async def test_a_room_survives_kill_9_and_a_restart(tmp_path: Path) -> None:
    with daphne_server(tmp_path) as first:
        code, secret = start_room(first.url)
        teacher = await open_socket(first.url, code, f"msglab_presenter_{code}={secret}")
        pupil = await open_socket(first.url, code, STUDENT)
        await next_of(pupil, "snapshot")
        for _ in range(5):
            await teacher.send('{"action":"step"}')
            hops = await next_of(pupil, "hops")
        seq = hops["seq"]
        os.kill(first.pid, signal.SIGKILL)
    port = int(first.url.rsplit(":", 1)[1])
    with daphne_server(tmp_path, port=port) as second:
        pupil = await open_socket(second.url, code, STUDENT)
        snapshot = await next_of(pupil, "snapshot")
        assert snapshot["seq"] == seq
        assert snapshot["state"]["steps"] == 5
        teacher = await open_socket(second.url, code, f"msglab_presenter_{code}={secret}")
        await teacher.send('{"action":"step"}')
        assert (await next_of(pupil, "hops"))["items"][0]["seq"] == seq + 1


def two_daphnes_on_redis(
    stack: contextlib.ExitStack, tmp_path: Path
) -> tuple[Any, RunningServer, RunningServer, RunningServer]:
    """A redis-server and two Daphnes on it and on one database, as behind a proxy; the
    redis-server's context comes first, so that a test can stop it early."""
    redis_context = redis_server(tmp_path / "redis")
    try:
        redis = stack.enter_context(redis_context)
    except FileNotFoundError:
        missing("redis-server not found: install it with `apt-get install redis-server`")
    env = {
        "REDIS_URL": redis.url,
        "MSGLAB_ROOM_LEASE_SECONDS": LEASE_SECONDS,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'shared.sqlite3'}",
    }
    a = stack.enter_context(daphne_server(tmp_path / "a", env))
    b = stack.enter_context(daphne_server(tmp_path / "b", env))
    return redis_context, redis, a, b


async def test_with_redis_a_second_process_relays_and_takes_the_room_over(
    tmp_path: Path,
) -> None:
    with contextlib.ExitStack() as stack:
        _, _, a, b = two_daphnes_on_redis(stack, tmp_path)
        code, secret = start_room(a.url)
        presenter = f"msglab_presenter_{code}={secret}"
        teacher = await open_socket(a.url, code, presenter)  # process a leads the room
        await next_of(teacher, "snapshot")
        pupil = await open_socket(b.url, code, STUDENT)
        await next_of(pupil, "snapshot")
        for _ in range(3):
            await teacher.send('{"action":"step"}')
            await next_of(pupil, "hops")
        # the same presenter's second window, on the process that does not lead: forwarded
        second_window = await open_socket(b.url, code, presenter)
        await next_of(second_window, "snapshot")
        await second_window.send('{"action":"step"}')
        forwarded = await next_of(pupil, "hops")
        assert forwarded["steps"] == 4
        seq = forwarded["seq"]

        os.kill(a.pid, signal.SIGKILL)  # the leader dies; b's lease check notices
        rebuilt = await next_of(pupil, "snapshot", timeout=int(LEASE_SECONDS) + 5)
        assert rebuilt["seq"] == seq
        assert rebuilt["state"]["steps"] == 4

        await second_window.send('{"action":"step"}')
        assert (await next_of(pupil, "hops"))["items"][0]["seq"] == seq + 1


async def test_rooms_carry_on_after_redis_restarts(tmp_path: Path) -> None:
    with contextlib.ExitStack() as stack:
        redis_context, redis, a, b = two_daphnes_on_redis(stack, tmp_path)
        code, secret = start_room(a.url)
        presenter_cookie = f"msglab_presenter_{code}={secret}"
        teacher = await open_socket(a.url, code, presenter_cookie)
        await next_of(teacher, "snapshot")
        pupil = await open_socket(b.url, code, STUDENT)
        await next_of(pupil, "snapshot")
        await teacher.send('{"action":"step"}')
        await next_of(pupil, "hops")

        port = int(redis.url.rsplit(":", 1)[1].split("/")[0])
        redis_context.__exit__(None, None, None)  # Redis goes away, forgetting everything
        with redis_server(tmp_path / "redis", port=port):
            # Sockets open during the outage fail with it (1011, from channels), and so does
            # the first use of each pooled Redis connection after it: pages reconnect and
            # presenters click again. Within seconds, without restarting Daphne, the room is
            # found again, where it was, and follows its presenter.
            async with asyncio.timeout(20):
                while True:
                    pupil, snapshot = await reconnect(b.url, code, STUDENT)
                    assert snapshot["state"]["steps"] >= 1
                    teacher, _ = await reconnect(a.url, code, presenter_cookie)
                    try:
                        await teacher.send('{"action":"step"}')
                        hops = await next_of(pupil, "hops", timeout=2)
                        break
                    except (ConnectionClosed, TimeoutError):
                        continue
            assert hops["steps"] == snapshot["state"]["steps"] + 1


async def reconnect(base: str, code: str, cookie: str) -> tuple[ClientConnection, dict[str, Any]]:
    """A connection and its snapshot, tried again and again as a page's backoff does."""
    for _ in range(40):
        try:
            ws = await open_socket(base, code, cookie)
            return ws, await next_of(ws, "snapshot")
        except (OSError, InvalidStatus, ConnectionClosed):
            await asyncio.sleep(0.25)
    raise AssertionError(f"{base} did not take a connection to room {code}")
