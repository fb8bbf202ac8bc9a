"""msglab live-stream benchmark: step latency against a bare WebSocket echo, and the hop rate at
full speed, measured against a real Daphne server.

Run from the repo root:

    python bench/live.py            # the full report (about 30 s)
    python bench/live.py --quick    # small samples, short windows: a smoke check
    python bench/live.py --smoke    # 18 steps, 0.3 s window: the tests' run, no figures

The script starts Daphne (tests/servers.py) on a free loopback port with the frame rate limit
lifted (MSGLAB_FRAMES_PER_SECOND=100000) and bench/scenarios/ added to the scenarios
(MSGLAB_SCENARIO_DIRS), and a `websockets` echo server in its own process. Prints figures and a
summary table with each goal MET / NOT MET. Exit status: 0 when it ran (goals not met are
reported, not errors); 2 when the dense scenario finished, halted or lost records while it was
measured (the hop rate would mean nothing). See bench/README.md for what each figure means.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from websockets.asyncio.client import ClientConnection, connect  # noqa: E402
from websockets.typing import Origin  # noqa: E402

from bench.engine import calibrate, machine, noise_line  # noqa: E402
from bench.report import add_size_flags, met, print_summary, size_of  # noqa: E402
from simulator.live.run import FRAME_SECONDS, MAX_STEPS_PER_FRAME, TIME_SCALE  # noqa: E402
from tests.servers import daphne_server, stop  # noqa: E402

GOAL_STEP_P99_MS = 10.0
FRAMES_PER_SECOND = 100_000  # the server's per-connection rate limit (20 by default), lifted
SCENARIOS = ROOT / "bench" / "scenarios"
STEP_SCENARIO = "order-flow"  # built in
BURST_SCENARIO = "live-burst"  # bench/scenarios/live-burst.json
SPEED = 8.0  # the highest speed the protocol allows
STEP_FRAME = '{"action":"step"}'
RECV_TIMEOUT_S = 10.0  # no answer in this long: the server is stuck, stop with an error


class BenchError(RuntimeError):
    pass


@dataclass(frozen=True)
class Size:
    """How much of each figure a run measures (the full report, --quick or --smoke)."""

    warmup: int  # untimed steps (and echoes) first
    timed: int  # timed steps (and as many echoes)
    rounds: int  # blocks the steps and echoes alternate in
    rate_warmup_s: float  # play this long before counting the hop rate
    rate_measure_s: float  # then count for this long
    engine_steps: int  # the engine in-process: steps per run
    engine_rounds: int  # ... and runs, the median kept
    note: str  # the summary's warning; empty for the full report


SIZES = {
    "full": Size(50, 1000, 5, 1.0, 5.0, 150_000, 3, ""),
    "quick": Size(
        10, 100, 2, 1.0, 1.5, 30_000, 1, "--quick: small samples, figures are NOT the real ones"
    ),
    # The least that still runs every path: 18 steps pass the end of order-flow's 16 (so a
    # reset happens) in 2 blocks; a 0.3 s window still holds several frames at 60 a second.
    "smoke": Size(
        2, 16, 2, 0.1, 0.3, 1_000, 1, "--smoke: tiny samples, figures are NOT the real ones"
    ),
}


# -- helpers ------------------------------------------------------------------------------


def ws_url(base: str, scenario: str) -> str:
    return base.replace("http://", "ws://", 1) + f"/ws/sim/?scenario={scenario}"


def open_ws(url: str, origin: str) -> Any:
    """A client connection. No compression: Daphne negotiates none, so neither does the echo."""
    return connect(url, origin=Origin(origin), compression=None, max_size=None, ping_interval=None)


async def recv_json(ws: ClientConnection) -> dict[str, Any]:
    text = await asyncio.wait_for(ws.recv(decode=True), RECV_TIMEOUT_S)
    frame: dict[str, Any] = json.loads(text)
    if frame.get("type") == "error":
        raise BenchError(f"the server refused a frame: {frame}")
    return frame


async def expect(ws: ClientConnection, kind: str) -> dict[str, Any]:
    """Read frames until one of type ``kind`` arrives."""
    while True:
        frame = await recv_json(ws)
        if frame["type"] == kind:
            return frame


def p99(samples: list[float]) -> float:
    """Nearest rank: the 990th of 1,000 sorted samples."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(0.99 * len(ordered)) - 1)]


def versions() -> str:
    names = ("daphne", "channels", "django", "twisted", "autobahn", "websockets")
    return ", ".join(f"{name} {version(name)}" for name in names)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of process ``pid`` so far (Linux /proc), or NaN."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return float("nan")


def pressure() -> str:
    """Linux PSI: the share of the last 10 s in which some runnable task waited for a CPU."""
    try:
        line = Path("/proc/pressure/cpu").read_text().splitlines()[0]
        avg10 = float(line.split("avg10=", 1)[1].split()[0])
    except (OSError, IndexError, ValueError):
        return "  CPU pressure: unknown (no /proc/pressure/cpu)"
    return f"  CPU pressure: some task waited for a CPU {avg10:.0f}% of the last 10 s (PSI avg10)"


# -- the echo peer ------------------------------------------------------------------------


def child_echo() -> None:
    """Runs in its own process: a bare `websockets` echo server; prints its port."""
    from websockets.asyncio.server import ServerConnection, serve

    async def echo(ws: ServerConnection) -> None:
        async for message in ws:
            await ws.send(message)

    async def main() -> None:
        async with serve(
            echo, "127.0.0.1", 0, compression=None, max_size=None, ping_interval=None
        ) as server:
            port = next(iter(server.sockets)).getsockname()[1]
            print(f"ECHO_PORT={port}", flush=True)
            await asyncio.Future()

    asyncio.run(main())


def start_echo() -> tuple[subprocess.Popen[bytes], str]:
    proc = subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve()), "--child", "echo"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline().decode()
    if not line.startswith("ECHO_PORT="):
        stop(proc)
        rest = proc.stdout.read().decode(errors="replace")
        raise BenchError(f"the echo server did not start:\n{line}{rest}")
    return proc, f"ws://127.0.0.1:{int(line.split('=', 1)[1])}/"


# -- figure 1: step latency and its echo peer ---------------------------------------------


@dataclass
class Stepper:
    """Steps a run of order-flow; a finished run is reset (not timed) before the next step."""

    ws: ClientConnection
    resets: int = 0
    sizes: list[int] = field(default_factory=list)

    async def step(self) -> float:
        t0 = time.perf_counter()
        await self.ws.send(STEP_FRAME)
        while True:  # only a hops frame answers a step of a paused run; anything else is odd
            text = await asyncio.wait_for(self.ws.recv(decode=True), RECV_TIMEOUT_S)
            elapsed = time.perf_counter() - t0  # the client's JSON decoding is not timed
            frame = json.loads(text)
            if frame["type"] == "hops":
                break
            if frame["type"] == "error":
                raise BenchError(f"the server refused a step: {frame}")
        self.sizes.append(len(text.encode()))
        if frame["finished"]:
            await self.ws.send('{"action":"reset"}')
            await expect(self.ws, "snapshot")
            self.resets += 1
        return elapsed


async def echo_once(ws: ClientConnection, payload: str) -> float:
    t0 = time.perf_counter()
    await ws.send(payload)
    answer = await asyncio.wait_for(ws.recv(), RECV_TIMEOUT_S)
    elapsed = time.perf_counter() - t0
    if len(answer) != len(payload):
        raise BenchError("the echo server answered something else")
    return elapsed


async def latency(
    base: str, echo_url: str, warmup: int, timed: int, rounds: int, pids: tuple[int, int]
) -> dict:
    """Steps and echoes in alternated blocks (so a burst of other work hits both alike).
    ``pids`` (Daphne's, the echo server's): their CPU time is read around the blocks."""
    out: dict[str, Any] = {}
    server_cpu = echo_cpu = 0.0
    async with (
        open_ws(ws_url(base, STEP_SCENARIO), base) as daphne_ws,
        open_ws(echo_url, base) as echo_ws,
    ):
        await expect(daphne_ws, "snapshot")
        stepper = Stepper(daphne_ws)
        for _ in range(warmup):
            await stepper.step()
        size = int(statistics.median(stepper.sizes))
        payload = "x" * size  # an echo does not look inside; the size is what matters
        for _ in range(warmup):
            await echo_once(echo_ws, payload)
        stepper.sizes.clear()
        steps: list[float] = []
        echoes: list[float] = []
        per_round = timed // rounds
        for r in range(rounds):
            n = per_round if r < rounds - 1 else timed - per_round * (rounds - 1)
            gc.collect()
            cpu0 = cpu_seconds(pids[0])
            for _ in range(n):
                steps.append(await stepper.step())
            server_cpu += cpu_seconds(pids[0]) - cpu0
            gc.collect()
            cpu0 = cpu_seconds(pids[1])
            for _ in range(n):
                echoes.append(await echo_once(echo_ws, payload))
            echo_cpu += cpu_seconds(pids[1]) - cpu0
    ms = 1000.0
    out.update(
        step_median=statistics.median(steps) * ms,
        step_p99=p99(steps) * ms,
        step_max=max(steps) * ms,
        echo_median=statistics.median(echoes) * ms,
        echo_p99=p99(echoes) * ms,
        echo_max=max(echoes) * ms,
        steps=len(steps),
        resets=stepper.resets,
        step_bytes=int(statistics.median(stepper.sizes)),
        echo_bytes=len(payload.encode()),
        server_cpu_per_step=server_cpu / len(steps) * ms,
        echo_cpu_per_echo=echo_cpu / len(echoes) * ms,
    )
    out["ratio_median"] = out["step_median"] / out["echo_median"]
    out["ratio_p99"] = out["step_p99"] / out["echo_p99"]
    return out


async def inprocess_steps(count: int) -> dict:
    """msglab's own share of a step, without a socket: ``LiveRun.handle(parse_frame(step))``
    on a run of the same scenario with one viewer that drops the encoded frame."""
    from simulator.live.protocol import parse_frame
    from simulator.live.run import LiveRun
    from simulator.scenarios import load_scenario

    run = LiveRun("bench", STEP_SCENARIO, load_scenario(STEP_SCENARIO).topology)

    async def viewer(text: str) -> None:
        return None

    await run.attach(viewer)
    times = []
    gc.collect()
    for _ in range(count):
        t0 = time.perf_counter()
        await run.handle(parse_frame(STEP_FRAME), viewer)
        times.append(time.perf_counter() - t0)
        if run.sim.finished:
            await run.handle(parse_frame('{"action":"reset"}'), viewer)
    return {
        "inproc_median": statistics.median(times) * 1000,
        "inproc_p99": p99(times) * 1000,
    }


def report_latency(out: dict, warmup: int, rounds: int) -> None:
    print(
        f"\n## 1. Step latency: '{STEP_SCENARIO}', {out['steps']:,} timed steps after "
        f"{warmup} warm-up ones, in {rounds} blocks alternated with the echo"
    )
    print(
        f"  step -> hops frame: median {out['step_median']:.3f} ms, "
        f"p99 {out['step_p99']:.3f} ms, max {out['step_max']:.3f} ms "
        f"(goal p99 <= {GOAL_STEP_P99_MS:g} ms)"
    )
    print(
        f"  (a hops frame is {out['step_bytes']:,} bytes, median; the run finished and was "
        f"reset {out['resets']} times, resets not timed)"
    )
    print(
        f"  where it goes: Daphne's CPU per step {out['server_cpu_per_step']:.3f} ms "
        f"(resets included; /proc ticks of 10 ms, so roughly); msglab's own share, in-process "
        f"(LiveRun.handle of a parsed step, frame encoded, no socket): median "
        f"{out['inproc_median']:.3f} ms, p99 {out['inproc_p99']:.3f} ms"
    )
    print(
        f"\n## 2. Peer: bare websockets echo server, own process, {out['echo_bytes']:,}-byte frames"
    )
    print(
        f"  echo round trip: median {out['echo_median']:.3f} ms, p99 {out['echo_p99']:.3f} ms, "
        f"max {out['echo_max']:.3f} ms; its CPU per echo {out['echo_cpu_per_echo']:.3f} ms"
    )
    print(
        f"  step / echo: median {out['ratio_median']:.1f}x, p99 {out['ratio_p99']:.1f}x "
        f"(what msglab adds on top of a WebSocket round trip on this machine)"
    )


# -- figure 2: hop rate at full speed -----------------------------------------------------


async def hop_rate(base: str, warmup_s: float, measure_s: float, server_pid: int) -> dict:
    out: dict[str, Any] = {}
    async with open_ws(ws_url(base, BURST_SCENARIO), base) as ws:
        snapshot = await expect(ws, "snapshot")
        if snapshot["warnings"]:
            raise BenchError(f"{BURST_SCENARIO} has lint warnings: {snapshot['warnings']}")
        await ws.send(json.dumps({"action": "speed", "value": SPEED}))
        await expect(ws, "state")
        await ws.send('{"action":"play"}')
        state = await expect(ws, "state")
        if not state["playing"]:
            raise BenchError(f"play did not start the run: {state}")
        loop = asyncio.get_running_loop()
        window_start = loop.time() + warmup_s
        window_end = window_start + measure_s
        last_seq, last_t = state["seq"], state["t"]
        lagging = state["lagging"]
        seq0: int | None = None
        t0 = wall0 = cpu0 = srv0 = 0.0
        lagging_at_start = False
        records = hops = frames = states = gaps = 0
        not_lagging = 0  # state frames in the window that said lagging: false
        finished = halted = False
        while True:
            now = loop.time()
            if now >= window_end:
                break
            if seq0 is None and now >= window_start:  # the window opens between two frames
                seq0, t0, wall0, lagging_at_start = last_seq, last_t, now, lagging
                cpu0, srv0 = time.process_time(), cpu_seconds(server_pid)
            try:
                frame = await asyncio.wait_for(recv_json(ws), max(0.001, window_end - now))
            except TimeoutError:
                break
            in_window = seq0 is not None
            if frame["type"] == "hops":
                items = frame["items"]
                if items and items[0]["seq"] != last_seq + 1:
                    gaps += 1
                if in_window:
                    frames += 1
                    records += len(items)
                    hops += sum(1 for item in items if item["event"] == "hop")
            elif frame["type"] == "state":
                lagging = frame["lagging"]
                halted = halted or frame["halted"] is not None
                if in_window:
                    states += 1
                    not_lagging += not lagging
            else:
                continue
            last_seq, last_t = frame["seq"], frame["t"]
            finished = finished or frame["finished"]
        wall = loop.time() - wall0
        cpu = time.process_time() - cpu0
        srv = cpu_seconds(server_pid) - srv0
        await ws.send('{"action":"pause"}')
        await expect(ws, "state")
    if seq0 is None:
        raise BenchError("the measurement window never opened: no frame during the warm-up")
    out.update(
        live_records=records / wall,
        live_hops=hops / wall,
        live_frames=frames / wall,
        sim_ms_per_s=(last_t - t0) / wall,
        seq_records=last_seq - seq0,
        counted_records=records,
        gaps=gaps,
        states=states,
        lagging_at_start=lagging_at_start,
        lagging_end=lagging,
        lagging_any=lagging_at_start or states > not_lagging,
        not_lagging=not_lagging,
        finished=finished,
        halted=halted,
        client_cpu=cpu / wall,
        server_cpu=srv / wall,
        wall=wall,
    )
    return out


def engine_rate(steps: int, rounds: int) -> dict:
    """The engine alone, in this process, on the same topology: Simulation(history=True)."""
    from simulator.engine import Simulation, load_topology

    topology = load_topology(json.loads((SCENARIOS / f"{BURST_SCENARIO}.json").read_text()))
    rates, hop_rates = [], []
    per_step = 0.0
    for _ in range(rounds):
        sim = Simulation(topology, history=True)
        gc.collect()
        t0 = time.perf_counter()
        sim.run(max_events=steps)
        elapsed = time.perf_counter() - t0
        if sim.finished:
            raise BenchError(f"{BURST_SCENARIO} finished within {steps:,} steps in-process")
        hops = sum(1 for record in sim.trace() if record["event"] == "hop")
        rates.append(sim.seq / elapsed)
        hop_rates.append(hops / elapsed)
        per_step = sim.seq / sim.steps
    return {
        "engine_records": statistics.median(rates),
        "engine_hops": statistics.median(hop_rates),
        "records_per_step": per_step,
        "engine_steps": steps,
        "engine_rounds": rounds,
    }


def report_rate(out: dict, warmup_s: float, measure_s: float) -> None:
    target = 1000 * SPEED / TIME_SCALE
    ceiling_steps = MAX_STEPS_PER_FRAME / FRAME_SECONDS
    ceiling = ceiling_steps * out["records_per_step"]
    print(
        f"\n## 3. Max-speed hop rate: '{BURST_SCENARIO}' at speed {SPEED:g}, counted for "
        f"{out['wall']:.2f} s after a {warmup_s:g} s warm-up"
    )
    print(
        f"  live: {out['live_records']:,.0f} trace records/s, {out['live_hops']:,.0f} hops/s, "
        f"{out['live_frames']:.1f} hops frames/s (the loop's ceiling: {1 / FRAME_SECONDS:.0f})"
    )
    print(
        f"  records counted {out['counted_records']:,} = seq advanced {out['seq_records']:,}; "
        f"gaps in seq: {out['gaps']}"
    )
    print(
        f"  engine in-process ({out['engine_steps']:,} steps, median of "
        f"{out['engine_rounds']}): {out['engine_records']:,.0f} records/s, "
        f"{out['engine_hops']:,.0f} hops/s"
    )
    print(
        f"  live / engine: {out['live_records'] / out['engine_records']:.3f} (records), "
        f"{out['live_hops'] / out['engine_hops']:.3f} (hops)"
    )
    print(
        f"  pacing ceiling: {MAX_STEPS_PER_FRAME} steps/frame x {1 / FRAME_SECONDS:.0f} frames/s "
        f"= {ceiling_steps:,.0f} steps/s = {ceiling:,.0f} records/s on this scenario "
        f"({out['records_per_step']:.2f} records/step); live reached "
        f"{out['live_records'] / ceiling:.0%} of it"
    )
    kept_up = not out["lagging_any"]
    print(
        f"  simulated clock: {out['sim_ms_per_s']:.2f} sim ms per wall s "
        f"(speed {SPEED:g} asks for {target:g}); server said lagging: "
        f"{'yes' if out['lagging_any'] else 'no'} "
        f"(at the window's start {out['lagging_at_start']}, at its end {out['lagging_end']}; "
        f"{out['states']} state frames in the window, {out['not_lagging']} of them "
        f"lagging: false) => pacing {'kept up' if kept_up else 'LAGGED'}"
    )
    print(
        f"  CPU during the window: server {out['server_cpu']:.0%} of a core, "
        f"this client {out['client_cpu']:.0%} of a core"
    )


# -- report -------------------------------------------------------------------------------


def summary(out: dict, note: str) -> None:
    pacing = "kept up" if not out["lagging_any"] else "lagged"
    rows = [
        ("step -> hops, median", f"{out['step_median']:.3f} ms", "-", "info"),
        (
            "step -> hops, p99",
            f"{out['step_p99']:.3f} ms",
            f"<= {GOAL_STEP_P99_MS:g} ms",
            met(out["step_p99"] <= GOAL_STEP_P99_MS),
        ),
        (
            "echo round trip, median / p99",
            f"{out['echo_median']:.3f} / {out['echo_p99']:.3f} ms",
            "-",
            "info",
        ),
        (
            "step / echo, median / p99",
            f"{out['ratio_median']:.1f}x / {out['ratio_p99']:.1f}x",
            "-",
            "info",
        ),
        (
            f"live stream, speed {SPEED:g}",
            f"{out['live_records']:,.0f} records/s, {out['live_hops']:,.0f} hops/s",
            "-",
            "info",
        ),
        (
            "engine in-process",
            f"{out['engine_records']:,.0f} records/s, {out['engine_hops']:,.0f} hops/s",
            "-",
            "info",
        ),
        ("live / engine (hops)", f"{out['live_hops'] / out['engine_hops']:.3f}", "-", "info"),
        ("pacing at max speed", pacing, "-", "info"),
    ]
    print_summary(rows, note)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    add_size_flags(
        p,
        quick="100 steps, 1.5 s windows: a smoke check",
        smoke="18 steps, a 0.3 s window: checks the script runs, figures mean nothing",
    )
    p.add_argument("--child", choices=["echo"], help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child == "echo":
        child_echo()
        return 0

    mode = size_of(args)
    size = SIZES[mode]
    warmup, timed, rounds = size.warmup, size.timed, size.rounds
    rate_warmup_s, rate_measure_s = size.rate_warmup_s, size.rate_measure_s

    print("# msglab live-stream benchmark" + ("" if mode == "full" else f" (--{mode})"))
    print(machine())
    print(versions())
    print(
        f"server: Daphne on 127.0.0.1, DEBUG=1, in-memory channel layer; "
        f"MSGLAB_FRAMES_PER_SECOND={FRAMES_PER_SECOND} (the default limit of 20 frames/s per "
        f"connection is a policy, lifted so it is not what is measured); "
        f"MSGLAB_SCENARIO_DIRS={SCENARIOS}"
    )
    print(noise_line("noise before", calibrate()))
    print(pressure())
    out: dict[str, Any] = {}
    env = {
        "MSGLAB_FRAMES_PER_SECOND": str(FRAMES_PER_SECOND),
        "MSGLAB_SCENARIO_DIRS": str(SCENARIOS),
    }
    with tempfile.TemporaryDirectory(prefix="msglab-bench-live-") as tmp:
        echo, echo_url = start_echo()
        try:
            with daphne_server(Path(tmp), env) as server:
                base, pid = server.url, server.pid
                out.update(
                    asyncio.run(latency(base, echo_url, warmup, timed, rounds, (pid, echo.pid)))
                )
                out.update(asyncio.run(inprocess_steps(timed)))
                report_latency(out, warmup, rounds)
                out.update(asyncio.run(hop_rate(base, rate_warmup_s, rate_measure_s, pid)))
        finally:
            stop(echo)
    out.update(engine_rate(size.engine_steps, size.engine_rounds))
    report_rate(out, rate_warmup_s, rate_measure_s)
    print("\n" + noise_line("noise after", calibrate()))
    print(pressure())
    summary(out, size.note)
    broken = [
        what
        for what, bad in (
            ("finished", out["finished"]),
            ("halted", out["halted"]),
            (
                "lost records (gaps in seq)",
                out["gaps"] or out["counted_records"] != out["seq_records"],
            ),
        )
        if bad
    ]
    if broken:
        print(
            f"\n!! the stream {', '.join(broken)} while it was measured: the hop rate means nothing"
        )
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
