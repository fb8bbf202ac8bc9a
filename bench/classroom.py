"""msglab classroom benchmark: one presenter's room watched by hundreds of students over real
WebSockets, on one Daphne (in-memory layer) and on two Daphnes sharing Redis, with and without a
stalled student; and a lab session of many single runs with a probe's step latency.

Run from the repo root:

    python bench/classroom.py            # the full report (about 2 minutes)
    python bench/classroom.py --quick    # the same classes, 4 s windows: a quick look
    python bench/classroom.py --smoke    # 5 students, 1.5 s windows: the tests' run

The script starts Daphne (tests/servers.py) on free loopback ports with bench/scenarios/ added to
the scenarios (MSGLAB_SCENARIO_DIRS), creates a room over HTTP as a browser would, plays the
presenter itself and runs the students in two client processes of their own. For the Redis part
it starts its own `redis-server` (killed at the end by its PID). Prints figures and a summary
table with each goal MET / NOT MET. Exit status: 0 when it ran (goals not met are reported, not
errors); 2 when a part could not be measured (students that did not connect, a run that finished
or halted while measured); 3 when redis-server is missing and MSGLAB_REQUIRE_BROWSER=1 (CI).
See bench/README.md for what each figure means.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import http.client
import json
import math
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from array import array
from collections.abc import Callable
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from importlib.metadata import version
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from websockets.asyncio.client import ClientConnection, connect  # noqa: E402
from websockets.client import ClientProtocol  # noqa: E402
from websockets.frames import Frame, Opcode  # noqa: E402
from websockets.http11 import Response  # noqa: E402
from websockets.typing import Origin  # noqa: E402
from websockets.uri import parse_uri  # noqa: E402

from bench.engine import calibrate, machine, noise_line  # noqa: E402
from bench.report import add_size_flags, met, print_summary, size_of  # noqa: E402
from tests.servers import RunningServer, daphne_server, redis_server  # noqa: E402

GOAL_EMBEDDED_P95_MS = 100.0  # goal 1: 300 students, one Daphne, in-memory layer
GOAL_REDIS_P95_MS = 150.0  # goal 2: 600 students, two Daphnes, Redis
GOAL_STALL_RATIO = 1.10  # goal 3: a stalled student moves the others' p95 by at most 10 %
GOAL_STALL_RSS_MB = 10.0  # goal 3: the server's RSS growth while a student is stalled (bounded)
ISSUE_STEP_MS = 125.0  # goal 4 has no threshold: the issue's figure for today, printed beside

SCENARIOS = ROOT / "bench" / "scenarios"
ROOM_SCENARIO = "classroom-20"  # bench/scenarios/classroom-20.json: ~20 hops/s at speed 1
ROOM_SPEED = 1.0  # the presenter's speed (the default: what a class watches)
LAB_SCENARIO = "order-flow"  # built in
LAB_SPEED = 8.0
WINDOW = 120  # frames a room connection may have unacknowledged (docs/protocol.md)
ACK_EVERY = 30  # frames: as the browser client does (static/js/live.js), the protocol's most
STALLED_RCVBUF = 4096  # bytes: the stalled student's socket buffer, so the server feels it
PROBE_EVERY_S = 0.1  # the probe's steps at most 10 a second (the server allows 20)
STALL_RECOVERY_S = 10.0  # the stalled student, reading again, has its fresh snapshot by then
IDLE_PROBE_S = 3.0  # the probe alone first, on the idle server: the lab figure's peer
CONNECT_TIMEOUT_S = 60.0
FINAL_TIMEOUT_S = 10.0
PRESENTER_COOKIE = "msglab_presenter_{code}"
STALLED_WINDOW = "with a stalled student"
HOPS_HEAD = '{"type":"hops","seq":'  # how the server's compact JSON starts a hops frame
ITEMS_HEAD = '"items":['
FIRST_SEQ = '{"seq":'
AT_KEY = ',"at":'  # the room's stamp: the frame's last field
STUDENT_COOKIE = "msglab_student"


class BenchError(RuntimeError):
    pass


@dataclass(frozen=True)
class Size:
    """How big each part is (the full report, --quick or --smoke)."""

    students: int  # goals 1 and 3: one Daphne
    redis_students: int  # goal 2: two Daphnes and Redis
    lab_students: int  # goal 4: single runs
    warmup_s: float  # play this long before the first window
    window_s: float  # each measurement window
    connect_rate: float  # new connections a second, per client process
    note: str  # the summary's warning; empty for the full report


SIZES = {
    "full": Size(300, 600, 150, 3.0, 15.0, 60.0, ""),
    "quick": Size(300, 600, 150, 2.0, 4.0, 60.0, "--quick: short windows, figures are rough"),
    "smoke": Size(
        5, 6, 5, 0.5, 1.5, 50.0, "--smoke: 5 students, 1.5 s windows, figures are NOT the real ones"
    ),
}
CLIENT_PROCESSES = 2  # the machine has 2 cores: one client process each, beside the servers


# -- small helpers ------------------------------------------------------------------------


def pct(samples: list[float], q: float) -> float:
    """Nearest rank: the q-th percentile (q in 0..100) of ``samples``; NaN when empty."""
    if not samples:
        return float("nan")
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of process ``pid`` so far (Linux /proc), or NaN."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return float("nan")


def rss_mb(pid: int, key: str = "VmRSS") -> float:
    """``key`` (VmRSS, VmHWM) of process ``pid`` in MB (Linux /proc), or NaN."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    return float("nan")


BUSY_CORES = 0.15  # other processes' CPU in a window past which its figures are suspect
BUSY_WARNING = "  << other work on this machine: not this code's figures alone"
OURS: set[int] = set()  # the processes this benchmark started (servers, clients, Redis)


@dataclass(frozen=True)
class Host:
    """The whole machine's CPU at one moment, and how much of it was ours (Linux /proc)."""

    busy: float  # CPU seconds spent by every process since boot, all cores
    ours: float  # ... by this process and OURS
    stall: float  # PSI: seconds in which some runnable task waited for a CPU

    @classmethod
    def now(cls) -> Host:
        busy = stall = float("nan")
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
            user, nice, system, _idle, _iowait, irq, softirq, steal = fields[:8]
            busy = (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")
        with contextlib.suppress(OSError, IndexError, ValueError):
            line = Path("/proc/pressure/cpu").read_text().splitlines()[0]
            stall = int(line.rsplit("total=", 1)[1]) / 1e6
        ours = sum(c for c in map(cpu_seconds, OURS | {os.getpid()}) if not math.isnan(c))
        return cls(busy, ours, stall)

    def since(self, before: Host, wall: float) -> str:
        busy = (self.busy - before.busy) / wall
        others = busy - (self.ours - before.ours) / wall
        waited = (self.stall - before.stall) / wall
        return (
            f"machine: {busy:.2f} of {os.cpu_count()} cores busy, {max(0.0, others):.2f} of "
            f"them other processes'; some task waited for a CPU {waited:.0%} of the time (PSI)"
        )

    def others(self, before: Host, wall: float) -> float:
        return max(0.0, ((self.busy - before.busy) - (self.ours - before.ours)) / wall)


def pressure() -> str:
    """Linux PSI: the share of the last 10 s in which some runnable task waited for a CPU."""
    try:
        line = Path("/proc/pressure/cpu").read_text().splitlines()[0]
        avg10 = float(line.split("avg10=", 1)[1].split()[0])
    except (OSError, IndexError, ValueError):
        return "  CPU pressure: unknown (no /proc/pressure/cpu)"
    return f"  CPU pressure: some task waited for a CPU {avg10:.0f}% of the last 10 s (PSI avg10)"


def versions() -> str:
    names = ("daphne", "channels", "channels_redis", "redis", "django", "twisted", "websockets")
    found = []
    for name in names:
        with contextlib.suppress(Exception):
            found.append(f"{name} {version(name)}")
    return ", ".join(found)


def redis_version(binary: str) -> str:
    out = subprocess.run([binary, "--version"], capture_output=True, text=True, check=False)
    return out.stdout.strip() or out.stderr.strip()


def raise_open_files() -> None:
    """Hundreds of sockets in one process: lift the soft limit on open files to the hard one."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = hard if hard != resource.RLIM_INFINITY else 65536
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


def now_ms() -> float:
    return time.time() * 1000.0


def ws_base(base: str) -> str:
    return base.replace("http://", "ws://", 1)


def student_token(phase: str, index: int) -> str:
    return f"bench_{phase}_{index:06d}"  # 16..64 of [A-Za-z0-9_-]: a valid msglab_student


# -- a WebSocket client: websockets' sans-I/O protocol on an asyncio transport ------------


class Conn(asyncio.Protocol):
    """One client connection. Every text message is stamped with ``time.time()`` the moment
    its bytes reach the process (before any JSON decoding), then handed to ``sink``, which
    defers the work so the stamps of a burst of sockets are not delayed by each other's."""

    def __init__(
        self,
        url: str,
        origin: str,
        cookie: str,
        sink: Callable[[Conn, float, str], None],
        owner: Callable[[Conn], Any],
    ) -> None:
        self.ws = ClientProtocol(parse_uri(url), origin=Origin(origin), max_size=None)
        self.cookie = cookie
        self.sink = sink
        self.transport: asyncio.Transport | None = None
        loop = asyncio.get_running_loop()
        self.opened: asyncio.Future[None] = loop.create_future()
        self.closed: asyncio.Future[None] = loop.create_future()
        self._parts: list[bytes] = []
        self.owner: Any = owner(self)  # what handles its messages: before any can arrive

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        request = self.ws.connect()
        if self.cookie:
            request.headers["Cookie"] = self.cookie
        self.ws.send_request(request)
        self._flush()

    def data_received(self, data: bytes) -> None:
        stamp = now_ms()
        self.ws.receive_data(data)
        for event in self.ws.events_received():
            if isinstance(event, Response):
                if not self.opened.done():
                    if self.ws.handshake_exc is not None:
                        self.opened.set_exception(
                            BenchError(f"handshake refused: {self.ws.handshake_exc}")
                        )
                    else:
                        self.opened.set_result(None)
            elif isinstance(event, Frame) and event.opcode in (Opcode.TEXT, Opcode.CONT):
                self._parts.append(bytes(event.data))
                if event.fin:
                    text = b"".join(self._parts).decode()
                    self._parts.clear()
                    self.sink(self, stamp, text)
        self._flush()

    def connection_lost(self, exc: Exception | None) -> None:
        self.ws.receive_eof()
        if not self.opened.done():
            self.opened.set_exception(BenchError(f"connection lost during the handshake: {exc}"))
        if not self.closed.done():
            self.closed.set_result(None)

    def send(self, text: str) -> None:
        if self.transport is None or self.transport.is_closing():
            return
        self.ws.send_text(text.encode())
        self._flush()

    def _flush(self) -> None:
        if self.transport is None or self.transport.is_closing():
            return
        for chunk in self.ws.data_to_send():
            if chunk:
                self.transport.write(chunk)
            elif self.transport.can_write_eof():
                self.transport.write_eof()

    def abort(self) -> None:
        if self.transport is not None:
            self.transport.abort()


async def open_conn(
    url: str,
    origin: str,
    cookie: str,
    sink: Callable[[Conn, float, str], None],
    owner: Callable[[Conn], Any],
    rcvbuf: int | None = None,
) -> Conn:
    loop = asyncio.get_running_loop()
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    if rcvbuf is not None:  # before connect, so the window it advertises is small from the start
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    sock.setblocking(False)
    await loop.sock_connect(sock, (host, port))
    _, conn = await loop.create_connection(
        lambda: Conn(url, origin, cookie, sink, owner), sock=sock
    )
    await asyncio.wait_for(conn.opened, CONNECT_TIMEOUT_S)
    return conn


class Batcher:
    """Stamped messages wait here until the event loop has taken every socket's bytes of this
    round; then they are decoded and handled, in arrival order."""

    def __init__(self) -> None:
        self.pending: list[tuple[Conn, float, str]] = []
        self._scheduled = False

    def sink(self, conn: Conn, stamp: float, text: str) -> None:
        self.pending.append((conn, stamp, text))
        if not self._scheduled:
            self._scheduled = True
            asyncio.get_running_loop().call_soon(self._run)

    def _run(self) -> None:
        self._scheduled = False
        pending, self.pending = self.pending, []
        for conn, stamp, text in pending:
            conn.owner.on_text(stamp, text)


# -- watchers: a room's viewer (presenter or student) and a lab student --------------------


@dataclass
class Samples:
    """Latency samples of a client process: the frame's ``at`` and the delay to its receipt;
    and per frame and server, the first and the last of its students' delays."""

    at: array[float] = field(default_factory=lambda: array("d"))
    delay: array[float] = field(default_factory=lambda: array("d"))
    spread: dict[tuple[int, float], list[float]] = field(default_factory=dict)

    def add(self, server: int, at: float, delay: float) -> None:
        self.at.append(at)
        self.delay.append(delay)
        seen = self.spread.get((server, at))
        if seen is None:
            self.spread[(server, at)] = [delay, delay]
        elif delay < seen[0]:
            seen[0] = delay
        elif delay > seen[1]:
            seen[1] = delay

    def window(self, start: float, end: float) -> dict[str, Any]:
        """The window's delays, and [server, at, first, last] of each frame; then forgets them."""
        delays = [d for a, d in zip(self.at, self.delay, strict=True) if start <= a < end]
        spread = [[k[0], k[1], *v] for k, v in self.spread.items() if start <= k[1] < end]
        keep = [(a, d) for a, d in zip(self.at, self.delay, strict=True) if a >= end]
        self.at = array("d", (a for a, _ in keep))
        self.delay = array("d", (d for _, d in keep))
        self.spread = {k: v for k, v in self.spread.items() if k[1] >= end}
        return {"delays": [round(d, 2) for d in delays], "spread": spread}


@dataclass(eq=False)
class RoomViewer:
    """Follows a room's stream: acknowledges, times every run frame, and marks each record it
    gets by its seq, so that what it lacks at the end is exact whatever happened on the way
    (a gap, a snapshot in place of missed frames, the run rewound by a takeover)."""

    conn: Conn
    samples: Samples | None  # None: not timed (the stalled student)
    stall_after_snapshot: bool = False
    server: int = 0  # which of the servers it is on
    frames: int = 0
    acked: int = 0
    first_seq: int | None = None  # its first snapshot's: it is owed every record after it
    last_seq: int = 0
    have: bytearray = field(default_factory=bytearray)  # have[seq] == 1: record seq came
    records: int = 0
    repeats: int = 0  # records that came twice (a rewound run sends them again)
    gaps: int = 0  # hops frames that did not follow on from the last record
    rewinds: int = 0  # frames that went back: the run was rebuilt from its log
    resnapshots: int = 0  # snapshots after the first: back-pressure, or a takeover
    fresh_at: int = 0  # frames received up to and with the first of those
    resumed_at: float | None = None  # the stalled student: when it read again (Unix ms)
    held: int = 0  # ... the frames stamped before that, which it read after
    caught_up: bool = False  # ... and whether a frame stamped after that came (no snapshot)
    errors: int = 0
    students: int = 0  # the room's count, from its snapshot and `room` frames
    role: str = ""
    playing: bool = False
    state_seq: int = 0  # the seq of the newest state frame
    kinds: dict[str, int] = field(default_factory=dict)  # frames received, by type
    finished: bool = False
    halted: bool = False
    # the presenter keeps (at, records, hops) of each hops frame: the rate it drives
    log: list[tuple[float, int, int]] | None = None
    snapshot_seen: asyncio.Event = field(default_factory=asyncio.Event)
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    def on_text(self, stamp: float, text: str) -> None:
        self.frames += 1
        if self.resumed_at is not None and AT_KEY in text:
            if float(text[text.rindex(AT_KEY) + len(AT_KEY) : -1]) < self.resumed_at:
                self.held += 1
            elif not text.startswith('{"type":"snapshot"'):
                self.caught_up = True
        if self.frames - self.acked >= ACK_EVERY and not self.stall_after_snapshot:
            self.conn.send(f'{{"action":"ack","frames":{self.frames}}}')
            self.acked = self.frames
        if self.log is None and text.startswith(HOPS_HEAD) and self.first_seq is not None:
            self._hops_fast(stamp, text)
            self.changed.set()
            return
        frame = json.loads(text)
        kind = frame["type"]
        self.kinds[kind] = self.kinds.get(kind, 0) + 1
        at = frame.get("at")
        if at is not None and self.samples is not None and kind in ("hops", "state"):
            self.samples.add(self.server, at, stamp - at)
        if kind == "hops":
            items = frame["items"]
            if items and self.first_seq is not None:
                self._records(items[0]["seq"], items[-1]["seq"])
                hops = sum(1 for item in items if item["event"] == "hop")
                if self.log is not None and at is not None:
                    self.log.append((at, len(items), hops))
            self.finished = self.finished or frame["finished"]
            self.halted = self.halted or frame["halted"] is not None
        elif kind == "snapshot":
            self.role = frame["room"]["role"]
            self.students = frame["room"]["students"]
            self.playing = frame["playing"]
            if self.first_seq is None:
                self.first_seq = frame["seq"]
            elif self.kinds.get("hops"):  # not the second one at the start (see the README)
                self.resnapshots += 1
                self.fresh_at = self.fresh_at or self.frames
                self.rewinds += frame["seq"] < self.last_seq
            self.last_seq = frame["seq"]
            self.snapshot_seen.set()
            if self.stall_after_snapshot and self.conn.transport is not None:
                self.conn.transport.pause_reading()  # from now on it reads nothing at all
        elif kind == "state":
            self.playing = frame["playing"]
            self.state_seq = frame["seq"]  # not last_seq: records count only when they come
            self.finished = self.finished or frame["finished"]
            self.halted = self.halted or frame["halted"] is not None
        elif kind == "room":
            self.students = frame["students"]
        elif kind == "error":
            self.errors += 1
        self.changed.set()

    def _records(self, first: int, last: int) -> None:
        """Records ``first``..``last`` came, in one hops frame."""
        if first != self.last_seq + 1:
            self.gaps += first > self.last_seq + 1
            self.rewinds += first <= self.last_seq
        if len(self.have) <= last:
            self.have.extend(bytes(last + 1 - len(self.have) + 4096))
        count = last - first + 1
        self.repeats += self.have.count(1, first, last + 1)
        self.have[first : last + 1] = b"\x01" * count
        self.records += count
        self.last_seq = last

    def _hops_fast(self, stamp: float, text: str) -> None:
        """A student's hops frame without decoding it all (most of a client process's work
        otherwise), from the frame's documented layout: ``{"type":"hops","seq":S,…,"items":
        [{"seq":F,…},…],…,"at":A}``, whose items are the records F..S (docs/protocol.md: after
        a hops frame, ``seq`` is its last item's)."""
        self.kinds["hops"] = self.kinds.get("hops", 0) + 1
        seq = int(text[len(HOPS_HEAD) : text.index(",", len(HOPS_HEAD))])
        start = text.index(ITEMS_HEAD) + len(ITEMS_HEAD)
        if self.samples is not None:
            at = float(text[text.rindex(AT_KEY) + len(AT_KEY) : -1])
            self.samples.add(self.server, at, stamp - at)
        if text.startswith("]", start):
            return  # no records
        if not text.startswith(FIRST_SEQ, start):
            raise BenchError(f"a hops frame not laid out as documented: {text[:200]}")
        first = int(text[start + len(FIRST_SEQ) : text.index(",", start + len(FIRST_SEQ))])
        self._records(first, seq)

    def account(self, final_seq: int) -> dict[str, int]:
        """What it was owed (every record after its first snapshot, up to ``final_seq``) and
        what of that never came in a hops frame."""
        first = self.first_seq if self.first_seq is not None else final_seq
        if len(self.have) <= final_seq:
            self.have.extend(bytes(final_seq + 1 - len(self.have)))
        expected = max(0, final_seq - first)
        lost = expected - self.have.count(1, first + 1, final_seq + 1)
        return {
            "expected": expected,
            "records": self.records,
            "lost": lost,
            "repeats": self.repeats,
            "gaps": self.gaps,
            "rewinds": self.rewinds,
            "resnapshots": self.resnapshots,
            "tail": max(0, final_seq - self.last_seq),
            "errors": self.errors,
        }


@dataclass(eq=False)
class LabStudent:
    """Plays its own run of order-flow at speed 8 and resets it whenever it finishes."""

    conn: Conn
    frames: int = 0
    runs: int = 0
    errors: int = 0
    started: bool = False

    def on_text(self, stamp: float, text: str) -> None:
        self.frames += 1
        if text.startswith('{"type":"hops"'):
            return  # most frames: counted, not decoded
        frame = json.loads(text)
        kind = frame["type"]
        if kind == "snapshot" and not frame["playing"]:
            if not self.started:
                self.started = True
                self.conn.send(json.dumps({"action": "speed", "value": LAB_SPEED}))
            self.conn.send('{"action":"play"}')
        elif kind == "state" and frame["finished"] and not frame["playing"]:
            self.runs += 1
            self.conn.send('{"action":"reset"}')
        elif kind == "error":
            self.errors += 1


# -- the client processes -----------------------------------------------------------------


def emit(message: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(message, separators=(",", ":")) + "\n")
    sys.stdout.flush()


async def connect_paced(
    specs: list[dict[str, Any]],
    rate: float,
    make: Callable[[dict[str, Any]], Any],
) -> tuple[list[Any], list[str]]:
    """Open ``specs`` at ``rate`` a second (at most 16 handshakes at once); ``make(spec)`` is a
    coroutine that returns a client once it is in. The clients, and the errors."""
    limit = asyncio.Semaphore(16)
    loop = asyncio.get_running_loop()
    start = loop.time()

    async def one(index: int, spec: dict[str, Any]) -> Any:
        await asyncio.sleep(max(0.0, start + index / rate - loop.time()))
        async with limit:
            return await asyncio.wait_for(make(spec), CONNECT_TIMEOUT_S)

    results = await asyncio.gather(
        *(one(i, spec) for i, spec in enumerate(specs)), return_exceptions=True
    )
    clients = [r for r in results if not isinstance(r, BaseException)]
    errors = [repr(r) for r in results if isinstance(r, BaseException)]
    return clients, errors


async def child_main() -> None:
    """A client process: reads its orders as JSON lines on stdin, answers on stdout."""
    raise_open_files()
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=2**26)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    config = json.loads(await reader.readline())
    batcher = Batcher()
    samples = Samples()
    kind = config["kind"]

    async def make_viewer(spec: dict[str, Any]) -> RoomViewer:
        conn = await open_conn(
            spec["url"],
            spec["origin"],
            spec["cookie"],
            batcher.sink,
            lambda c: RoomViewer(c, samples, server=spec["server"]),
        )
        viewer: RoomViewer = conn.owner
        await asyncio.wait_for(viewer.snapshot_seen.wait(), CONNECT_TIMEOUT_S)
        return viewer

    async def make_lab(spec: dict[str, Any]) -> LabStudent:
        conn = await open_conn(spec["url"], spec["origin"], "", batcher.sink, LabStudent)
        student: LabStudent = conn.owner
        return student

    t0 = time.perf_counter()
    clients, errors = await connect_paced(
        config["specs"], config["rate"], make_viewer if kind == "room" else make_lab
    )
    emit(
        {
            "event": "ready",
            "connected": len(clients),
            "failed": len(errors),
            "errors": errors[:3],
            "seconds": time.perf_counter() - t0,
        }
    )
    while True:
        line = await reader.readline()
        if not line:
            break
        order = json.loads(line)
        if order["cmd"] == "window":
            emit(
                {
                    "event": "window",
                    **samples.window(order["start"], order["end"]),
                    **counters(clients),
                }
            )
        elif order["cmd"] == "final":
            emit({"event": "final", **await final(clients, order.get("seq"))})
            break
    for client in clients:
        client.conn.abort()


def counters(clients: list[Any]) -> dict[str, Any]:
    viewers = [c for c in clients if isinstance(c, RoomViewer)]
    labs = [c for c in clients if isinstance(c, LabStudent)]
    return {
        "frames": sum(c.frames for c in clients),
        "gaps": sum(v.gaps for v in viewers),
        "resnapshots": sum(v.resnapshots for v in viewers),
        "rewinds": sum(v.rewinds for v in viewers),
        "errors": sum(c.errors for c in clients),
        "runs": sum(s.runs for s in labs),
        "disconnected": sum(c.conn.closed.done() for c in clients),
    }


async def final(clients: list[Any], final_seq: int | None) -> dict[str, Any]:
    """Once every viewer has had the last record (or 10 s have passed): its accounting."""
    viewers = [c for c in clients if isinstance(c, RoomViewer)]
    out: dict[str, Any] = counters(clients)
    if final_seq is None or not viewers:
        return out
    deadline = time.monotonic() + FINAL_TIMEOUT_S
    for viewer in viewers:  # the pause's state frame comes after every record before it
        while (viewer.playing or viewer.state_seq < final_seq) and not viewer.conn.closed.done():
            viewer.changed.clear()
            left = deadline - time.monotonic()
            if left <= 0:
                break
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(viewer.changed.wait(), left)
    accounts = [v.account(final_seq) for v in viewers]
    for key in ACCOUNT_KEYS:
        out[key] = sum(a[key] for a in accounts)
    out["clients_with_loss"] = sum(1 for a in accounts if a["lost"])
    out["viewers"] = len(viewers)
    return out


ACCOUNT_KEYS = ("expected", "records", "lost", "repeats", "gaps", "rewinds", "resnapshots", "tail")


# -- the parent: servers, the room, the presenter -----------------------------------------


@dataclass
class ClientProcess:
    proc: asyncio.subprocess.Process
    ready: dict[str, Any] = field(default_factory=dict)

    async def ask(self, order: dict[str, Any]) -> dict[str, Any]:
        assert self.proc.stdin is not None
        self.proc.stdin.write((json.dumps(order) + "\n").encode())
        await self.proc.stdin.drain()
        return await self.read()

    async def read(self) -> dict[str, Any]:
        assert self.proc.stdout is not None
        line = await self.proc.stdout.readline()
        if not line:
            await self.proc.wait()
            raise BenchError(f"a client process exited with {self.proc.returncode}")
        answer: dict[str, Any] = json.loads(line)
        return answer


async def start_clients(kind: str, specs: list[dict[str, Any]], rate: float) -> list[ClientProcess]:
    """Split ``specs`` between the client processes, start them, and wait until all are in."""
    procs = []
    for part in range(CLIENT_PROCESSES):
        mine = specs[part::CLIENT_PROCESSES]
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            str(Path(__file__).resolve()),
            "--child",
            "clients",
            cwd=ROOT,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            limit=2**26,
        )
        OURS.add(proc.pid)
        client = ClientProcess(proc)
        assert proc.stdin is not None
        config = {"kind": kind, "specs": mine, "rate": rate}
        proc.stdin.write((json.dumps(config) + "\n").encode())
        await proc.stdin.drain()
        procs.append(client)
    for client in procs:
        client.ready = await client.read()
    return procs


async def stop_clients(procs: list[ClientProcess]) -> None:
    for client in procs:
        OURS.discard(client.proc.pid)
        if client.proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                client.proc.kill()
            await client.proc.wait()


def create_room(base: str) -> tuple[str, str]:
    """Start a room over HTTP as the page's button does: the code and the presenter secret."""
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=30)
    try:
        conn.request("GET", "/join/")
        got = conn.getresponse()
        got.read()
        cookies: SimpleCookie = SimpleCookie()
        for header in got.headers.get_all("Set-Cookie") or []:
            cookies.load(header)
        if "csrftoken" not in cookies:
            raise BenchError(f"GET /join/ set no csrftoken cookie (status {got.status})")
        csrf = cookies["csrftoken"].value
        body = urlencode({"source": f"scenario:{ROOM_SCENARIO}", "csrfmiddlewaretoken": csrf})
        conn.request(
            "POST",
            "/rooms/new/",
            body,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"csrftoken={csrf}",
                "Origin": base,
                "Referer": f"{base}/join/",
            },
        )
        got = conn.getresponse()
        text = got.read().decode(errors="replace")
        location = got.headers.get("Location", "")
        if got.status != 303 or not location.startswith("/rooms/"):
            raise BenchError(f"POST /rooms/new/ answered {got.status}: {text[:300]}")
        code = location.split("/")[2]
        cookies = SimpleCookie()
        for header in got.headers.get_all("Set-Cookie") or []:
            cookies.load(header)
        name = PRESENTER_COOKIE.format(code=code)
        if name not in cookies:
            raise BenchError(f"POST /rooms/new/ set no {name} cookie")
        return code, cookies[name].value
    finally:
        conn.close()


async def open_viewer(
    base: str,
    code: str,
    cookie: str,
    batcher: Batcher,
    samples: Samples | None,
    *,
    stall: bool = False,
) -> RoomViewer:
    url = f"{ws_base(base)}/ws/room/{code}/"
    conn = await open_conn(
        url,
        base,
        cookie,
        batcher.sink,
        lambda c: RoomViewer(c, samples, stall_after_snapshot=stall),
        rcvbuf=STALLED_RCVBUF if stall else None,
    )
    viewer: RoomViewer = conn.owner
    await asyncio.wait_for(viewer.snapshot_seen.wait(), CONNECT_TIMEOUT_S)
    return viewer


async def wait_for(viewer: RoomViewer, ok: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not ok():
        viewer.changed.clear()
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(viewer.changed.wait(), left)
    return True


@dataclass
class Window:
    """One measurement window: the students' delays and what the servers and clients spent."""

    label: str
    start: float  # Unix ms
    end: float
    delays: list[float]
    firsts: list[list[float]]  # per Daphne, per frame: the delay of its first student
    fans: list[list[float]]  # per Daphne, per frame: its last student's delay - its first's
    presenter_frames: int  # hops frames the run sent in the window
    records: int
    hops: int
    server_cpu: list[float]  # share of a core, per Daphne
    client_cpu: list[float]  # per client process
    rss: list[tuple[float, float]]  # per Daphne: MB at the start, at the end
    host: str  # the machine during the window
    others: float  # cores other processes used during the window
    gaps: int  # these four: so far, every student summed
    resnapshots: int
    rewinds: int
    disconnected: int

    @property
    def seconds(self) -> float:
        return (self.end - self.start) / 1000

    def p(self, q: float) -> float:
        return pct(self.delays, q)


async def measure(
    label: str,
    seconds: float,
    presenter: RoomViewer,
    clients: list[ClientProcess],
    pids: list[int],
    during: Callable[[], Any] | None = None,
) -> Window:
    """Let ``seconds`` pass, then collect every sample stamped by the run in that span."""
    assert presenter.log is not None
    client_pids = [c.proc.pid for c in clients]
    rss0 = [rss_mb(pid) for pid in pids]
    cpu0 = [cpu_seconds(pid) for pid in pids + client_pids]
    start = now_ms()
    wall0 = time.monotonic()
    host0 = Host.now()
    if during is not None:
        await during()
    await asyncio.sleep(max(0.0, seconds - (time.monotonic() - wall0)))
    end = now_ms()
    wall = time.monotonic() - wall0
    host = Host.now()
    cpu = [(cpu_seconds(pid) - c) / wall for pid, c in zip(pids + client_pids, cpu0, strict=True)]
    rss = [(r, rss_mb(pid)) for pid, r in zip(pids, rss0, strict=True)]
    await asyncio.sleep(0.3)  # the window's last frames on their way
    answers = [await c.ask({"cmd": "window", "start": start, "end": end}) for c in clients]
    merged: dict[tuple[int, float], list[float]] = {}
    for answer in answers:
        for server, at, first, last in answer["spread"]:
            seen = merged.setdefault((server, at), [first, last])
            seen[0], seen[1] = min(seen[0], first), max(seen[1], last)
    firsts: list[list[float]] = [[] for _ in pids]
    fans: list[list[float]] = [[] for _ in pids]
    for (server, _), (first, last) in merged.items():
        firsts[server].append(first)
        fans[server].append(last - first)
    sent = [(r, h) for at, r, h in presenter.log if start <= at < end]
    return Window(
        label=label,
        start=start,
        end=end,
        delays=[d for a in answers for d in a["delays"]],
        firsts=firsts,
        fans=fans,
        presenter_frames=len(sent),
        records=sum(r for r, _ in sent),
        hops=sum(h for _, h in sent),
        server_cpu=cpu[: len(pids)],
        client_cpu=cpu[len(pids) :],
        rss=rss,
        host=host.since(host0, wall),
        others=host.others(host0, wall),
        gaps=sum(a["gaps"] for a in answers),
        resnapshots=sum(a["resnapshots"] for a in answers),
        rewinds=sum(a["rewinds"] for a in answers),
        disconnected=sum(a["disconnected"] for a in answers),
    )


def print_window(w: Window, students: int) -> None:
    print(
        f"  [{w.label}] {w.seconds:.1f} s: {len(w.delays):,} run frames timed over {students} "
        f"students; send -> receipt p50 {w.p(50):.1f} ms, p95 {w.p(95):.1f} ms, "
        f"p99 {w.p(99):.1f} ms, max {max(w.delays, default=float('nan')):.1f} ms"
    )
    servers = ", ".join(f"{c:.0%}" for c in w.server_cpu)
    clients = ", ".join(f"{c:.0%}" for c in w.client_cpu)
    rss = ", ".join(f"{a:.1f} -> {b:.1f} MB" for a, b in w.rss)
    per_frame = sum(w.server_cpu) * w.seconds / max(1, len(w.delays)) * 1e6
    print(
        f"    driven: {w.hops / w.seconds:.1f} hops/s ({w.records / w.seconds:.1f} records/s, "
        f"{w.presenter_frames / w.seconds:.1f} hops frames/s); CPU: Daphne {servers} of a "
        f"core ({per_frame:.0f} us per frame delivered), client processes {clients} (all on "
        f"the same {os.cpu_count()} cores); Daphne RSS {rss}"
    )
    for i, (firsts, fans) in enumerate(zip(w.firsts, w.fans, strict=True)):
        print(
            f"    where it goes, Daphne {i + 1}: the first of its students has a frame after "
            f"p50 {pct(firsts, 50):.1f} / p95 {pct(firsts, 95):.1f} ms (channel layer, event "
            f"loop's queue); the last, p50 {pct(fans, 50):.1f} / p95 {pct(fans, 95):.1f} ms "
            f"after the first (the fan-out to {students // len(w.fans)} sockets, the clients' "
            f"reading)"
        )
    print(f"    {w.host}" + (BUSY_WARNING if w.others > BUSY_CORES else ""))
    if w.gaps or w.resnapshots or w.rewinds or w.disconnected:
        print(
            f"    !! so far, over all students: gaps {w.gaps}, fresh snapshots {w.resnapshots}, "
            f"rewinds {w.rewinds}, dropped connections {w.disconnected}"
        )


@dataclass
class Accounting:
    """Every student's records at the end, summed: what it was owed, what it never got."""

    final_seq: int
    viewers: int
    expected: int
    records: int
    lost: int  # owed, and never in a hops frame (covered by a snapshot at best)
    repeats: int
    gaps: int
    rewinds: int
    resnapshots: int
    tail: int
    clients_with_loss: int
    errors: int
    disconnected: int


async def finish_room(presenter: RoomViewer, clients: list[ClientProcess]) -> Accounting:
    """Pause the run, then ask every client process to account for each record of its run."""
    presenter.conn.send('{"action":"pause"}')
    await wait_for(presenter, lambda: not presenter.playing, FINAL_TIMEOUT_S)
    final_seq = presenter.state_seq
    answers = [await c.ask({"cmd": "final", "seq": final_seq}) for c in clients]
    keys = ("viewers", *ACCOUNT_KEYS, "clients_with_loss", "errors", "disconnected")
    own = presenter.account(final_seq)
    print(
        f"    the presenter's own stream: owed {own['expected']:,} records, lacks {own['lost']} "
        f"(of them after its last hops frame: {own['tail']}); repeated {own['repeats']}, "
        f"rewound {own['rewinds']} times, fresh snapshots {own['resnapshots']}"
    )
    return Accounting(final_seq, **{k: sum(a.get(k, 0) for a in answers) for k in keys})


def print_accounting(a: Accounting) -> None:
    print(
        f"    accounting at the end (the pause: seq {a.final_seq:,}): {a.viewers} students owed "
        f"{a.expected:,} records, lost {a.lost:,} (of them after the last hops frame: "
        f"{a.tail:,}); students with a loss {a.clients_with_loss}; gaps {a.gaps}, fresh "
        f"snapshots {a.resnapshots} (back-pressure or a takeover), rewinds {a.rewinds}, "
        f"records repeated {a.repeats:,}; error frames {a.errors}; dropped connections "
        f"{a.disconnected}"
    )


def print_ready(clients: list[ClientProcess], n: int, what: str) -> int:
    connected = sum(c.ready["connected"] for c in clients)
    seconds = max(c.ready["seconds"] for c in clients)
    errors = [e for c in clients for e in c.ready["errors"]]
    print(
        f"  {connected}/{n} {what} connected in {seconds:.1f} s "
        f"({CLIENT_PROCESSES} client processes, paced)" + (f"; errors: {errors}" if errors else "")
    )
    return connected


def leadership(logs: list[Path]) -> str:
    """What the servers' logs say of who led the room (simulator/rooms/hub.py logs it)."""
    lines = []
    for path in logs:
        with contextlib.suppress(OSError):
            lines += path.read_text(errors="replace").splitlines()
    took = sum("leading, rebuilt from" in line for line in lines)
    lost = sum("lease lost" in line or "was written by another process" in line for line in lines)
    return (
        f"the room's run was built {took} time(s) (1: only at the start; more: another process "
        f"took it over), a lease lost {lost} time(s)"
    )


@dataclass
class Stalled:
    """A student that stops reading its socket once its snapshot is in, and the server's RSS
    sampled every half second while it is there."""

    base: str
    code: str
    batcher: Batcher
    pid: int  # the Daphne it is on
    viewer: RoomViewer | None = None
    rss: list[float] = field(default_factory=list)
    _task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self.rss.append(rss_mb(self.pid))
        cookie = f"{STUDENT_COOKIE}={student_token('stalled', 0)}"
        self.viewer = await open_viewer(
            self.base, self.code, cookie, self.batcher, None, stall=True
        )
        self._task = asyncio.get_running_loop().create_task(self._sample())

    async def _sample(self) -> None:
        while True:
            await asyncio.sleep(0.5)
            self.rss.append(rss_mb(self.pid))

    async def stop(self) -> dict[str, Any]:
        """Read again: what the server had sent it while it stalled arrives (frames stamped
        before now), then either a live frame (it was sent fewer than the window) or, once it
        has acknowledged them, a fresh snapshot (docs/protocol.md, Back-pressure). Then leave."""
        if self._task is not None:
            self._task.cancel()
        self.rss.append(rss_mb(self.pid))
        viewer = self.viewer
        held, fresh = -1, False
        if viewer is not None and viewer.conn.transport is not None:
            viewer.resumed_at = now_ms()
            viewer.stall_after_snapshot = False  # it reads and acknowledges as students do
            viewer.conn.transport.resume_reading()
            await wait_for(
                viewer, lambda: viewer.fresh_at > 0 or viewer.caught_up, STALL_RECOVERY_S
            )
            held, fresh = viewer.held, viewer.fresh_at > 0
            viewer.conn.abort()
        return {"rss": self.rss, "hwm": rss_mb(self.pid, "VmHWM"), "held": held, "fresh": fresh}


async def room_part(
    servers: list[RunningServer], n: int, size: Size, phase: str, with_stalled: bool
) -> dict[str, Any]:
    """A room on ``servers[0]``; ``n`` students split over ``servers``; the windows: one, or
    (``with_stalled``) before, with and after a stalled student."""
    out: dict[str, Any] = {"n": n}
    pids = [s.pid for s in servers]
    OURS.update(pids)
    base = servers[0].url
    code, secret = create_room(base)
    batcher = Batcher()
    presenter = await open_viewer(
        base, code, f"{PRESENTER_COOKIE.format(code=code)}={secret}", batcher, None
    )
    presenter.log = []
    if presenter.role != "presenter":
        raise BenchError(f"the presenter's connection got role {presenter.role!r}")
    rss_idle = [rss_mb(pid) for pid in pids]
    specs = [
        {
            "url": f"{ws_base(servers[i % len(servers)].url)}/ws/room/{code}/",
            "origin": servers[i % len(servers)].url,
            "cookie": f"{STUDENT_COOKIE}={student_token(phase, i)}",
            "server": i % len(servers),
        }
        for i in range(n)
    ]
    ramp0 = time.monotonic()
    clients = await start_clients("room", specs, size.connect_rate)
    try:
        connected = out["connected"] = print_ready(clients, n, "students")
        counted = await wait_for(presenter, lambda: presenter.students >= connected, 30.0)
        ramp = time.monotonic() - ramp0
        told = presenter.kinds.get("room", 0)
        print(
            f"  the room counts {presenter.students} students"
            + ("" if counted else " (not all of them after 30 s)")
            + f", {ramp:.1f} s after the first one; meanwhile the presenter got {told} "
            f"`room` frames ({told / ramp:.1f}/s)"
        )
        rss_joined = [rss_mb(pid) for pid in pids]
        print(
            "  Daphne RSS: "
            + "; ".join(
                f"{a:.1f} MB with the presenter alone, {b:.1f} MB with the class"
                for a, b in zip(rss_idle, rss_joined, strict=True)
            )
        )
        presenter.conn.send(json.dumps({"action": "speed", "value": ROOM_SPEED}))
        presenter.conn.send('{"action":"play"}')
        if not await wait_for(presenter, lambda: presenter.playing, 10.0):
            raise BenchError("play did not start the room's run")
        await asyncio.sleep(size.warmup_s)
        label = "without a stalled student" if with_stalled else "the class"
        windows = [await measure(label, size.window_s, presenter, clients, pids)]
        print_window(windows[-1], connected)
        if with_stalled:
            stalled = Stalled(base, code, batcher, pids[0])
            windows.append(
                await measure(
                    STALLED_WINDOW, size.window_s, presenter, clients, pids, stalled.start
                )
            )
            out["stall"] = await stalled.stop()
            print_window(windows[-1], connected)
            await asyncio.sleep(1.0)
            windows.append(await measure("after it left", size.window_s, presenter, clients, pids))
            print_window(windows[-1], connected)
        out["accounting"] = await finish_room(presenter, clients)
        print_accounting(out["accounting"])
        out["windows"] = windows
        out["finished"] = presenter.finished
        out["halted"] = presenter.halted
    finally:
        presenter.conn.abort()
        await stop_clients(clients)
        OURS.difference_update(pids)
    return out


# -- the parts ----------------------------------------------------------------------------


def server_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    return {"MSGLAB_SCENARIO_DIRS": str(SCENARIOS), **(extra or {})}


def embedded(size: Size, tmp: Path) -> dict[str, Any]:
    n = size.students
    print(
        f"\n## 1. One Daphne, in-memory channel layer, SQLite: a room of {n} students "
        f"('{ROOM_SCENARIO}' at speed {ROOM_SPEED:g})"
    )
    with daphne_server(tmp / "embedded", server_env()) as server:
        print(f"  Daphne pid {server.pid} on {server.url}")
        out = asyncio.run(room_part([server], n, size, "one", with_stalled=True))
    print(f"  server log: {leadership([tmp / 'embedded' / 'daphne.log'])}")
    return out


def with_redis(size: Size, tmp: Path) -> dict[str, Any]:
    n = size.redis_students
    print(
        f"\n## 3. Two Daphnes, Redis channel layer, one SQLite file: a room of {n} students, "
        f"half on each process, the presenter on the first"
    )
    with redis_server(tmp) as redis, contextlib.ExitStack() as stack:
        url, redis_pid = redis.url, redis.pid
        OURS.add(redis_pid)
        stack.callback(OURS.discard, redis_pid)
        env = server_env({"REDIS_URL": url, "DATABASE_URL": f"sqlite:///{tmp / 'shared.sqlite3'}"})
        servers = [stack.enter_context(daphne_server(tmp / f"redis-{i}", env)) for i in (1, 2)]
        print(
            f"  redis-server pid {redis_pid} at {url} ({redis_version('redis-server')}); "
            f"Daphne pids {servers[0].pid} on {servers[0].url}, {servers[1].pid} on "
            f"{servers[1].url}; REDIS_URL={url}"
        )
        redis_cpu0 = cpu_seconds(redis_pid)
        wall0 = time.monotonic()
        out = asyncio.run(room_part(servers, n, size, "two", with_stalled=False))
        out["redis_cpu"] = (cpu_seconds(redis_pid) - redis_cpu0) / (time.monotonic() - wall0)
        print(f"  redis-server's CPU over the whole part: {out['redis_cpu']:.0%} of a core")
    logs = [tmp / f"redis-{i}" / "daphne.log" for i in (1, 2)]
    print(f"  server logs: {leadership(logs)}")
    return out


async def probe_steps(base: str, seconds: float) -> tuple[list[float], int]:
    """Steps its own paused run of order-flow every PROBE_EVERY_S and times each answer."""
    url = f"{ws_base(base)}/ws/sim/?scenario={LAB_SCENARIO}"
    times: list[float] = []
    resets = 0
    ws: ClientConnection
    async with connect(
        url, origin=Origin(base), compression=None, max_size=None, ping_interval=None
    ) as ws:
        await expect(ws, "snapshot")
        loop = asyncio.get_running_loop()
        end = loop.time() + seconds
        while loop.time() < end:
            t0 = time.perf_counter()
            await ws.send('{"action":"step"}')
            frame = await expect(ws, "hops")
            elapsed = time.perf_counter() - t0
            times.append(elapsed * 1000)
            if frame["finished"]:
                await ws.send('{"action":"reset"}')
                await expect(ws, "snapshot")
                resets += 1
            await asyncio.sleep(max(0.0, PROBE_EVERY_S - (time.perf_counter() - t0)))
    return times, resets


async def expect(ws: ClientConnection, kind: str) -> dict[str, Any]:
    while True:
        text = await asyncio.wait_for(ws.recv(decode=True), 30.0)
        frame: dict[str, Any] = json.loads(text)
        if frame["type"] == "error":
            raise BenchError(f"the server refused a frame: {frame}")
        if frame["type"] == kind:
            return frame


async def lab_part(server: RunningServer, size: Size) -> dict[str, Any]:
    n = size.lab_students
    url = f"{ws_base(server.url)}/ws/sim/?scenario={LAB_SCENARIO}"
    specs = [{"url": url, "origin": server.url} for _ in range(n)]
    out: dict[str, Any] = {"n": n}
    OURS.add(server.pid)
    # the peer: the same probe on the same server before the class comes
    out["idle_steps"], _ = await probe_steps(server.url, min(size.window_s, IDLE_PROBE_S))
    clients = await start_clients("lab", specs, size.connect_rate)
    try:
        out["connected"] = print_ready(clients, n, "lab students")
        await asyncio.sleep(size.warmup_s)
        pids = [server.pid] + [c.proc.pid for c in clients]
        cpu0 = [cpu_seconds(pid) for pid in pids]
        before = [await c.ask({"cmd": "window", "start": 0, "end": 0}) for c in clients]
        wall0 = time.monotonic()
        host0 = Host.now()
        out["steps"], out["resets"] = await probe_steps(server.url, size.window_s)
        wall = time.monotonic() - wall0
        host = Host.now()
        out["host"], out["others"] = host.since(host0, wall), host.others(host0, wall)
        cpu = [(cpu_seconds(pid) - c) / wall for pid, c in zip(pids, cpu0, strict=True)]
        after = [await c.ask({"cmd": "final"}) for c in clients]
        out["frames_per_s"] = (
            sum(a["frames"] for a in after) - sum(b["frames"] for b in before)
        ) / wall
        out["runs_per_s"] = (sum(a["runs"] for a in after) - sum(b["runs"] for b in before)) / wall
        out["errors"] = sum(a["errors"] for a in after)
        out["server_cpu"], out["client_cpu"] = cpu[0], cpu[1:]
        out["wall"] = wall
        out["rss"] = rss_mb(server.pid)
    finally:
        await stop_clients(clients)
        OURS.discard(server.pid)
    return out


def lab(size: Size, tmp: Path) -> dict[str, Any]:
    n = size.lab_students
    print(
        f"\n## 4. Lab session, no room: {n} students each playing their own run of "
        f"'{LAB_SCENARIO}' at speed {LAB_SPEED:g} (reset when it ends), one Daphne; a probe "
        f"steps its own paused run"
    )
    with daphne_server(tmp / "lab", server_env()) as server:
        print(f"  Daphne pid {server.pid} on {server.url}")
        out = asyncio.run(lab_part(server, size))
    steps = out["steps"]
    out["p50"], out["p95"] = pct(steps, 50), pct(steps, 95)
    print(
        f"  probe step -> hops: {len(steps)} steps over {out['wall']:.1f} s (one every "
        f"{PROBE_EVERY_S * 1000:.0f} ms at most; {out['resets']} untimed resets): p50 "
        f"{out['p50']:.1f} ms, p95 {out['p95']:.1f} ms, p99 {pct(steps, 99):.1f} ms, max "
        f"{max(steps, default=float('nan')):.1f} ms (the issue: about {ISSUE_STEP_MS:g} ms today)"
    )
    clients = ", ".join(f"{c:.0%}" for c in out["client_cpu"])
    print(
        f"    load: {out['frames_per_s']:,.0f} frames/s to the lab students, "
        f"{out['runs_per_s']:.1f} runs finished/s, error frames {out['errors']}; CPU: Daphne "
        f"{out['server_cpu']:.0%} of a core, client processes {clients}; Daphne RSS "
        f"{out['rss']:.1f} MB"
    )
    print(f"    {out['host']}" + (BUSY_WARNING if out["others"] > BUSY_CORES else ""))
    idle = out["idle_steps"]
    out["idle_p50"], out["idle_p95"] = pct(idle, 50), pct(idle, 95)
    out["ratio"] = out["p95"] / out["idle_p95"]
    print(
        f"  peer: the same probe on the same server before the class came ({len(idle)} steps): "
        f"p50 {out['idle_p50']:.1f} ms, p95 {out['idle_p95']:.1f} ms; with the class / alone, "
        f"p95: {out['ratio']:.1f}x"
    )
    return out


# -- report -------------------------------------------------------------------------------


def pooled(windows: list[Window]) -> list[float]:
    return [d for w in windows for d in w.delays]


def stall_figures(one: dict[str, Any]) -> dict[str, float]:
    without = [w for w in one["windows"] if w.label != STALLED_WINDOW]
    with_ = next(w for w in one["windows"] if w.label == STALLED_WINDOW)
    p95_without = pct(pooled(without), 95)
    rss = one["stall"]["rss"]  # before it connected, every 0.5 s, after the window
    half = rss[len(rss) // 2 :]
    return {
        "p95_without": p95_without,
        "p95_with": with_.p(95),
        "ratio": with_.p(95) / p95_without,
        "rss_before": rss[0],
        "rss_growth": max(rss) - rss[0],
        "rss_second_half": half[-1] - half[0],
        "hwm": one["stall"]["hwm"],
        "held": one["stall"]["held"],
        "fresh": one["stall"]["fresh"],
    }


def report_embedded(one: dict[str, Any]) -> None:
    without = [w for w in one["windows"] if w.label != STALLED_WINDOW]
    delays = pooled(without)
    one["p50"], one["p95"], one["p99"] = pct(delays, 50), pct(delays, 95), pct(delays, 99)
    one["lost"] = one["accounting"].lost
    print(
        f"  => {one['n']} students, the two windows without a stalled student pooled: p50 "
        f"{one['p50']:.1f} ms, p95 {one['p95']:.1f} ms, p99 {one['p99']:.1f} ms "
        f"(goal p95 <= {GOAL_EMBEDDED_P95_MS:g} ms); records lost {one['lost']:,} (goal 0)"
    )
    s = one["stall_figures"] = stall_figures(one)
    print(
        f"\n## 2. A stalled student beside the {one['n']} (same server and room): it reads "
        f"nothing after its snapshot ({STALLED_RCVBUF}-byte receive buffer), from the start "
        f"of the middle window to its end"
    )
    print(
        f"  stalled: the others' p95 {s['p95_with']:.1f} ms with it, {s['p95_without']:.1f} ms "
        f"without (the windows before and after, pooled): ratio {s['ratio']:.3f} "
        f"(goal <= {GOAL_STALL_RATIO:.2f})"
    )
    print(
        f"  stalled: Daphne RSS {s['rss_before']:.1f} MB before it came, growth at most "
        f"{s['rss_growth']:+.1f} MB while it was there (goal <= {GOAL_STALL_RSS_MB:g} MB), "
        f"{s['rss_second_half']:+.1f} MB over the window's second half; peak RSS (VmHWM) "
        f"{s['hwm']:.1f} MB"
    )
    sent = one["windows"][1].presenter_frames
    print(
        f"  stalled: reading again after the window, it got the {s['held']} frames the server "
        f"had sent it while it stalled (the run sent {sent} hops frames meanwhile; the "
        f"server holds back past {WINDOW} unacknowledged), then "
        + (
            "a fresh snapshot once it had acknowledged them"
            if s["fresh"]
            else "live frames again, without a snapshot (it had not been held back)"
            if s["held"] < WINDOW
            else f"NO fresh snapshot within {STALL_RECOVERY_S:g} s"
        )
    )


def report_redis(two: dict[str, Any], one: dict[str, Any]) -> None:
    w = two["windows"][0]
    two["p50"], two["p95"], two["p99"] = w.p(50), w.p(95), w.p(99)
    two["lost"] = two["accounting"].lost
    two["ratio"] = two["p95"] / one["p95"]
    print(
        f"  => {two['n']} students on 2 Daphnes: p95 {two['p95']:.1f} ms (goal <= "
        f"{GOAL_REDIS_P95_MS:g} ms); records lost {two['lost']:,} (goal 0); peer: p95 / the "
        f"embedded {one['n']}'s p95 = {two['ratio']:.2f}x"
    )


def summary(
    one: dict[str, Any],
    two: dict[str, Any] | None,
    redis_note: str,
    lab_out: dict[str, Any],
    note: str,
) -> None:
    s = one["stall_figures"]
    rows = [
        (
            f"embedded, {one['n']} students: p95",
            f"{one['p95']:.1f} ms",
            f"<= {GOAL_EMBEDDED_P95_MS:g} ms",
            met(one["p95"] <= GOAL_EMBEDDED_P95_MS),
        ),
        (f"embedded, {one['n']} students: lost", f"{one['lost']:,}", "0", met(one["lost"] == 0)),
        (
            f"embedded, {one['n']} students: p50 / p99",
            f"{one['p50']:.1f} / {one['p99']:.1f} ms",
            "-",
            "info",
        ),
    ]
    if two is not None:
        rows += [
            (
                f"redis, 2 Daphnes, {two['n']} students: p95",
                f"{two['p95']:.1f} ms",
                f"<= {GOAL_REDIS_P95_MS:g} ms",
                met(two["p95"] <= GOAL_REDIS_P95_MS),
            ),
            (
                f"redis, 2 Daphnes, {two['n']} students: lost",
                f"{two['lost']:,}",
                "0",
                met(two["lost"] == 0),
            ),
            (
                f"peer: redis {two['n']} p95 / embedded {one['n']} p95",
                f"{two['ratio']:.2f}x",
                "-",
                "info",
            ),
        ]
    else:
        rows.append(("redis, 2 Daphnes: p95", "redis-server not found", "-", "NOT MEASURED"))
    rows += [
        (
            "stalled student: others' p95 with / without",
            f"{s['p95_with']:.1f} / {s['p95_without']:.1f} ms = {s['ratio']:.3f}",
            f"<= {GOAL_STALL_RATIO:.2f}",
            met(s["ratio"] <= GOAL_STALL_RATIO),
        ),
        (
            "stalled student: Daphne RSS growth",
            f"{s['rss_growth']:+.1f} MB",
            f"<= {GOAL_STALL_RSS_MB:g} MB",
            met(s["rss_growth"] <= GOAL_STALL_RSS_MB),
        ),
        (
            "stalled student: frames held for it",
            f"{s['held']}" + (", then a fresh snapshot" if s["fresh"] else ", no snapshot"),
            f"~{WINDOW}",
            "info",
        ),
        (
            f"lab, {lab_out['n']} runs: probe step p50 / p95",
            f"{lab_out['p50']:.1f} / {lab_out['p95']:.1f} ms",
            f"(issue: ~{ISSUE_STEP_MS:g} ms today)",
            "info",
        ),
        (
            "peer: lab probe p95 / the same probe alone",
            f"{lab_out['p95']:.1f} / {lab_out['idle_p95']:.1f} ms = {lab_out['ratio']:.1f}x",
            "-",
            "info",
        ),
    ]
    hops = [w.hops / w.seconds for w in one["windows"]]
    rows.append(
        ("hops/s driven (embedded windows)", f"{min(hops):.1f}..{max(hops):.1f}", "~20", "info")
    )
    print_summary(rows, note)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    add_size_flags(
        p,
        quick="the same classes, 4 s windows: a quick look",
        smoke="5 students, 1.5 s windows: checks the script runs, figures mean nothing",
    )
    p.add_argument("--child", choices=["clients"], help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child == "clients":
        asyncio.run(child_main())
        return 0

    raise_open_files()
    mode = size_of(args)
    size = SIZES[mode]
    started = time.monotonic()
    print("# msglab classroom benchmark" + ("" if mode == "full" else f" (--{mode})"))
    print(machine())
    print(versions())
    print(
        f"servers: Daphne on 127.0.0.1, DEBUG=1, the default rate limit (20 frames/s per "
        f"connection), MSGLAB_SCENARIO_DIRS={SCENARIOS}; clients: {CLIENT_PROCESSES} processes "
        f"of websockets' sans-I/O protocol on asyncio, Origin = the server's, one "
        f"{STUDENT_COOKIE} cookie each, an ack every {ACK_EVERY} frames; clients and servers "
        f"share the machine's {os.cpu_count()} cores"
    )
    print(noise_line("noise before", calibrate()))
    print(pressure())
    redis_binary = shutil.which("redis-server")
    redis_note = (
        "" if redis_binary else "redis-server not found: install it (apt-get install redis-server)"
    )
    broken: list[str] = []
    with tempfile.TemporaryDirectory(prefix="msglab-bench-classroom-") as tmp_name:
        tmp = Path(tmp_name)
        one = embedded(size, tmp)
        report_embedded(one)
        two: dict[str, Any] | None = None
        if redis_binary:
            two = with_redis(size, tmp)
            report_redis(two, one)
        else:
            print(f"\n## 3. Two Daphnes and Redis: NOT MEASURED — {redis_note}")
        lab_out = lab(size, tmp)
    print("\n" + noise_line("noise after", calibrate()))
    print(pressure())
    print(f"  the whole run took {time.monotonic() - started:.0f} s")
    summary(one, two, redis_note, lab_out, size.note)
    for name, part in (("embedded", one), ("redis", two), ("lab", lab_out)):
        if part is None:
            continue
        if part["connected"] < part["n"]:
            broken.append(f"{name}: {part['n'] - part['connected']} clients did not connect")
        if part.get("finished") or part.get("halted"):
            broken.append(f"{name}: the room's run finished or halted while measured")
    if broken:
        print("\n!! " + "; ".join(broken))
        return 2
    if not redis_binary and os.environ.get("MSGLAB_REQUIRE_BROWSER") == "1":
        print(
            "\n!! redis-server is missing and MSGLAB_REQUIRE_BROWSER=1: the Redis goal is required"
        )
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
