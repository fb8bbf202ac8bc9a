"""Real servers for tests and benchmarks: Daphne serving config.asgi on a free loopback port.

Used by the ``live_daphne`` fixture (tests/conftest.py) and by bench/live.py. No pytest here,
so a script can import it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
START_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 10.0


@dataclass(frozen=True)
class RunningServer:
    url: str  # http://127.0.0.1:PORT
    pid: int  # Daphne's own process, e.g. to read its CPU time


class ServerDidNotStart(RuntimeError):
    """The server (or its migrate step) failed or did not answer; the message carries its log."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def stop(process: subprocess.Popen[bytes]) -> None:
    """Terminate ``process`` (SIGTERM), then kill it if it has not exited in 10 s."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextlib.contextmanager
def daphne_server(
    workdir: Path, extra_env: dict[str, str] | None = None, port: int | None = None
) -> Iterator[RunningServer]:
    """Migrate a file SQLite in ``workdir``, start Daphne on a free loopback port, wait until it
    accepts connections and yield its base URL and pid; stop it on exit.

    The server runs with ``DEBUG=1`` and the in-memory channel layer (``REDIS_URL`` removed);
    ``extra_env`` is applied last; ``port`` picks the port (a restart on the same one), else a
    free one. Its output goes to ``workdir/daphne.log`` (appended, so a restart keeps both). Raises
    :class:`ServerDidNotStart`, with the log, when migrate fails, Daphne exits, or it does not
    answer within 30 s.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{workdir / 'msglab.sqlite3'}",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("REDIS_URL", None)
    env.update(extra_env or {})
    migrate = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "--verbosity", "0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if migrate.returncode != 0:
        raise ServerDidNotStart(
            f"manage.py migrate exited with {migrate.returncode}:\n{migrate.stdout}{migrate.stderr}"
        )
    port = port or free_port()
    log_path = workdir / "daphne.log"
    with log_path.open("ab") as log:
        server = subprocess.Popen(
            [
                str(VENV_BIN / "daphne"),
                "-b",
                "127.0.0.1",
                "-p",
                str(port),
                "config.asgi:application",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not answers(port):
            if server.poll() is not None:
                raise ServerDidNotStart(
                    f"daphne exited with {server.returncode}:\n{_read(log_path)}"
                )
            if time.monotonic() > deadline:
                raise ServerDidNotStart(
                    f"daphne did not answer on port {port} in {START_TIMEOUT_S:g} s:\n"
                    f"{_read(log_path)}"
                )
            time.sleep(0.05)
        yield RunningServer(f"http://127.0.0.1:{port}", server.pid)
    finally:
        stop(server)


@contextlib.contextmanager
def redis_server(workdir: Path, port: int | None = None) -> Iterator[RunningServer]:
    """A throwaway ``redis-server`` on a loopback port (free, unless given), persisting
    nothing; yields its URL (``redis://127.0.0.1:PORT/0``) and pid.

    Raises :class:`FileNotFoundError` when redis-server is not installed.
    """
    binary = shutil.which("redis-server")
    if binary is None:
        raise FileNotFoundError("redis-server")
    port = port or free_port()
    workdir.mkdir(parents=True, exist_ok=True)
    with (workdir / "redis.log").open("ab") as log:
        server = subprocess.Popen(
            [
                binary,
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            cwd=workdir,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not answers(port):
            if server.poll() is not None or time.monotonic() > deadline:
                raise ServerDidNotStart(
                    f"redis-server did not start:\n{_read(workdir / 'redis.log')}"
                )
            time.sleep(0.05)
        yield RunningServer(f"redis://127.0.0.1:{port}/0", server.pid)
    finally:
        stop(server)


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace")
