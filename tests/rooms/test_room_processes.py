"""Rooms across real server processes: a Daphne killed with SIGKILL and started again
rebuilds its room from the database; with Redis, a presenter on one process reaches students
on another, and killing the process that leads the room hands it to the other without losing
an action."""

from __future__ import annotations

import contextlib
import os
import signal
from pathlib import Path

import pytest

from tests.browser import missing
from tests.rooms.processes import next_of, open_socket, start_room
from tests.servers import daphne_server, redis_server

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


async def test_with_redis_a_second_process_relays_and_takes_the_room_over(
    tmp_path: Path,
) -> None:
    with contextlib.ExitStack() as stack:
        try:
            redis = stack.enter_context(redis_server(tmp_path / "redis"))
        except FileNotFoundError:
            missing("redis-server not found: install it with `apt-get install redis-server`")
        env = {
            "REDIS_URL": redis,
            "MSGLAB_ROOM_LEASE_SECONDS": LEASE_SECONDS,
            # one database for both, as two processes behind a proxy have
            "DATABASE_URL": f"sqlite:///{tmp_path / 'shared.sqlite3'}",
        }
        a = stack.enter_context(daphne_server(tmp_path / "a", env))
        b = stack.enter_context(daphne_server(tmp_path / "b", env))
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
