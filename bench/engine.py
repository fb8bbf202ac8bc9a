"""msglab engine benchmark: throughput vs SimPy, scaling, memory and seek, on one order-flow model.

Run from the repo root:

    python bench/engine.py            # the full report (a few minutes)
    python bench/engine.py --quick    # everything at 1/10 scale, 3 pairs: a smoke check
    python bench/engine.py --smoke    # 1/100 scale, 1 pair, 1 round: the tests' run, no figures

Prints figures and a summary table with each goal MET / NOT MET. Exit status: 0 when it ran
(goals not met are reported, not errors); 2 when msglab and SimPy disagree on the hop count.
See bench/README.md for what each figure means.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import random
import re
import resource
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.models import DURATION_MS, EVERY_MS, LATENCY_MS, hops_per_order, order_flow_topology  # noqa: E402
from bench.report import add_size_flags, met, print_summary, size_of  # noqa: E402

# Goals (from the team's brief)
GOAL_RATIO, STRETCH_RATIO = 6.0, 8.0
GOAL_GROWTH = 1.2
GOAL_MEM_MB = 20.0
GOAL_BYTES_PER_HOP = 150.0
GOAL_SEEK_MS = 5.0
MEASURE_ROUNDS = 4096  # max_events per sim.run() call in the bounded-memory runs
EVERY = EVERY_MS  # the gateway's send interval; --every-ms changes it


@dataclass(frozen=True)
class Size:
    """How much of each figure a run measures (the full report, --quick or --smoke)."""

    scale: int  # every hop count is divided by this
    pairs: int  # throughput: alternated msglab/SimPy pairs
    rounds: int  # scaling: interleaved rounds
    budget_s: float  # scaling: least time per size and round (0: run each size once)
    seek_tries: int  # seek: timings per target, the best kept
    note: str  # the summary's warning; empty for the full report


SIZES = {
    "full": Size(1, 5, 5, 0.5, 3, ""),
    "quick": Size(10, 3, 3, 0.1, 3, "--quick: 1/10 scale, figures are NOT the real ones"),
    # The least that still runs every path: 1/100 keeps the four scaling sizes distinct
    # (10 to 10,000 hops) and the seek run long enough for 20 earlier targets.
    "smoke": Size(100, 1, 1, 0.0, 1, "--smoke: 1/100 scale, figures are NOT the real ones"),
}


# -- the model ----------------------------------------------------------------------------

HOPS_PER_ORDER, HOP_LIST = hops_per_order(order_flow_topology(1))


def orders_for(hops: int) -> int:
    return max(1, round(hops / HOPS_PER_ORDER))


def load(n_orders: int) -> Any:
    from simulator.engine import load_topology

    return load_topology(order_flow_topology(n_orders, EVERY))


# -- the two runners ----------------------------------------------------------------------


def msglab_run(topo: Any, history: bool) -> tuple[float, Any]:
    """Build and run a Simulation to the end; (seconds, sim). history=False runs in rounds."""
    from simulator.engine import Simulation

    gc.collect()
    t0 = time.perf_counter()
    sim = Simulation(topo, history=history)
    if history:
        sim.run()
    else:
        run_bounded(sim)
    return time.perf_counter() - t0, sim


def run_bounded(sim: Any) -> None:
    while not sim.finished:
        if sim.run(max_events=MEASURE_ROUNDS) == 0 and not sim.finished:
            raise SystemExit("msglab: sim.run() made no progress but sim.finished is False")
    if sim.halted is not None:
        raise SystemExit(f"msglab: the run halted: {sim.halted}")


def simpy_run(n_orders: int) -> tuple[float, list]:
    from bench.simpy_orders import run_orders

    gc.collect()
    t0 = time.perf_counter()
    trace = run_orders(n_orders, every_ms=EVERY)
    return time.perf_counter() - t0, trace


def msglab_event_counts(sim: Any) -> dict[str, int]:
    counts: dict[str, int] = {}
    for rec in sim.trace():
        counts[rec["event"]] = counts.get(rec["event"], 0) + 1
    return counts


def check_clean(counts: dict[str, int], where: str) -> None:
    bad = {k: v for k, v in counts.items() if k in ("failed", "dropped", "halted", "dead_lettered")}
    if bad:
        raise SystemExit(f"{where}: the model is supposed to run cleanly, got {bad}")


# -- the figures --------------------------------------------------------------------------


def throughput(hops: int, pairs: int, out: dict) -> None:
    n = orders_for(hops)
    expected = n * HOPS_PER_ORDER
    topo = load(n)
    print(
        f"\n## 1. Throughput: {expected:,} hops ({n:,} orders), history on, "
        f"{pairs} alternated pairs"
    )
    ml_rates, sp_rates, ratios = [], [], []
    ml_records = 0
    for i in range(pairs):
        ml_s, sim = msglab_run(topo, history=True)
        sp_s, trace = simpy_run(n)
        # counting happens outside the timed region
        counts = msglab_event_counts(sim)
        if i == 0:
            depths = [
                r["detail"]["depth"]
                for r in sim.trace()
                if r["event"] == "waiting" and "detail" in r
            ]
            if depths:
                print(
                    f"  note: the model backs up: {len(depths):,} waiting records, "
                    f"queue depth up to {max(depths):,}"
                    f" (a consumer is busy {LATENCY_MS + DURATION_MS:g} ms per message: "
                    f"{LATENCY_MS:g} ms hop + {DURATION_MS:g} ms handling; "
                    f"orders every {EVERY:g} ms)"
                )
        del sim
        check_clean(counts, "msglab")
        ml_hops = counts.get("hop", 0)
        sp_hops = sum(1 for r in trace if r[1] == "hop")
        del trace
        if ml_hops != sp_hops or ml_hops != expected:
            print(f"msglab hops {ml_hops:,}, SimPy hops {sp_hops:,}, expected {expected:,}")
            print("msglab records by event:", counts)
            raise SystemExit(2)
        ml_records = sum(counts.values())
        ml_rate, sp_rate = ml_hops / ml_s, sp_hops / sp_s
        ml_rates.append(ml_rate)
        sp_rates.append(sp_rate)
        ratios.append(ml_rate / sp_rate)
        print(
            f"  pair {i + 1}: msglab {ml_s * 1000:8.1f} ms {ml_rate:>10,.0f} hops/s | "
            f"SimPy {sp_s * 1000:8.1f} ms {sp_rate:>10,.0f} hops/s | "
            f"ratio {ml_rate / sp_rate:5.2f}x"
        )
    print(f"  hop counts agree: {expected:,} hops each ({HOPS_PER_ORDER} per order)")
    print(
        f"  msglab records per run: {ml_records:,} ({ml_records / expected:.2f} per hop; "
        f"by event: {counts})"
    )
    out["ml_rate"] = statistics.median(ml_rates)
    out["sp_rate"] = statistics.median(sp_rates)
    out["ratio"] = statistics.median(ratios)
    print(
        f"  median: msglab {out['ml_rate']:,.0f} hops/s, SimPy {out['sp_rate']:,.0f} hops/s, "
        f"ratio {out['ratio']:.2f}x (goal >= {GOAL_RATIO:g}x, stretch {STRETCH_RATIO:g}x)"
    )
    # For information: SimPy with a hand-tuned delivery (timeout + callback, no process per hop)
    from bench.simpy_orders import run_orders

    tuned = []
    for _ in range(max(1, pairs // 2)):
        gc.collect()
        t0 = time.perf_counter()
        run_orders(n, deliver="callback", every_ms=EVERY)
        tuned.append(expected / (time.perf_counter() - t0))
    out["sp_tuned_rate"] = statistics.median(tuned)
    print(
        f"  (info) SimPy hand-tuned delivery (timeout+callback): "
        f"{out['sp_tuned_rate']:,.0f} hops/s; "
        f"msglab/tuned {out['ml_rate'] / out['sp_tuned_rate']:.2f}x"
    )


def scaling(sizes: list[int], rounds: int, budget_s: float, out: dict) -> None:
    """ns/hop per size. Sizes are interleaved round by round so that machine noise (other
    processes on a shared box) hits every size alike; each round runs a size for at least
    ``budget_s`` (at least once). The figure is the best round (noise only ever adds time);
    the median of rounds is printed beside it."""
    from simulator.engine import Simulation

    print(
        f"\n## 2. Scaling: ns per hop, history off, "
        f"sim.run(max_events={MEASURE_ROUNDS}) in a loop, "
        f"{rounds} interleaved rounds"
    )
    topos = {hops: load(orders_for(hops)) for hops in sizes}
    samples: dict[int, list[float]] = {hops: [] for hops in sizes}
    for _ in range(rounds):
        for hops in sizes:
            expected = orders_for(hops) * HOPS_PER_ORDER
            total_s, total_hops = 0.0, 0
            while total_hops == 0 or total_s < budget_s:
                sim = Simulation(topos[hops], history=False)
                gc.collect()
                t0 = time.perf_counter()
                run_bounded(sim)
                total_s += time.perf_counter() - t0
                total_hops += expected
                del sim
            samples[hops].append(total_s / total_hops * 1e9)
    per_hop = {}
    for hops in sizes:
        per_hop[hops] = min(samples[hops])
        print(
            f"  {orders_for(hops) * HOPS_PER_ORDER:>10,} hops: "
            f"{per_hop[hops]:8.0f} ns/hop best round "
            f"(median {statistics.median(samples[hops]):.0f}, worst {max(samples[hops]):.0f})"
        )
    out["per_hop"] = per_hop
    out["growth"] = max(per_hop.values()) / min(per_hop.values())
    print(f"  growth (max/min of best rounds): {out['growth']:.2f}x (goal <= {GOAL_GROWTH:g}x)")


def child_measure(mode: str, hops: int) -> None:
    """Runs in a fresh process: print this process's peak RSS after doing `mode`."""
    n = orders_for(hops)
    topo = load(n)
    if mode in ("mem-nohist", "mem-hist"):
        from simulator.engine import Simulation

        sim = Simulation(topo, history=(mode == "mem-hist"))
        if mode == "mem-hist":
            sim.run()
        else:
            run_bounded(sim)
        if not sim.finished:
            raise SystemExit("child: simulation did not finish")
    elif mode != "mem-bare":
        raise SystemExit(f"unknown child mode {mode}")
    maxrss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    hwm_kb = -1
    try:
        m = re.search(r"VmHWM:\s+(\d+)", Path("/proc/self/status").read_text())
        hwm_kb = int(m.group(1)) if m else -1
    except OSError:
        pass
    print(f"MAXRSS_KB={maxrss_kb} VMHWM_KB={hwm_kb} HOPS={n * HOPS_PER_ORDER}")


def fresh_peak_kb(mode: str, hops: int) -> tuple[int, int]:
    script = ROOT / "bench" / "engine.py"
    cmd = f"{sys.executable} {script} --every-ms {EVERY!r} --child {mode} {hops}"
    res = subprocess.run(["sh", "-c", cmd], capture_output=True, text=True, cwd=ROOT)
    m = re.search(r"MAXRSS_KB=(\d+) VMHWM_KB=(-?\d+)", res.stdout)
    if res.returncode != 0 or not m:
        raise SystemExit(f"child {mode} failed ({res.returncode}):\n{res.stdout}\n{res.stderr}")
    return int(m.group(1)), int(m.group(2))


def memory(hops: int, out: dict) -> None:
    n = orders_for(hops)
    expected = n * HOPS_PER_ORDER
    print(f"\n## 3. Memory: peak RSS, each in a fresh process, {expected:,} hops")
    peaks = {}
    for mode in ("mem-bare", "mem-nohist", "mem-hist"):
        maxrss, hwm = fresh_peak_kb(mode, hops)
        peaks[mode] = maxrss
        note = (
            "" if hwm < 0 or abs(maxrss - hwm) < 2048 else f"  (!! VmHWM says {hwm / 1024:.1f} MB)"
        )
        print(f"  {mode:11s} {maxrss / 1024:8.1f} MB{note}")
    out["mem_over_bare_mb"] = (peaks["mem-nohist"] - peaks["mem-bare"]) / 1024
    out["bytes_per_hop"] = (peaks["mem-hist"] - peaks["mem-nohist"]) * 1024 / expected
    print(
        f"  without history, over bare import+topology: {out['mem_over_bare_mb']:.1f} MB "
        f"(goal <= {GOAL_MEM_MB:g} MB)"
    )
    print(
        f"  history cost: {out['bytes_per_hop']:.0f} B/hop (goal <= {GOAL_BYTES_PER_HOP:g} B/hop)"
    )


def seek(hops: int, count: int, tries: int, out: dict) -> None:
    """Time ``sim.seek(target)`` for ``count`` random earlier targets. seek() truncates the
    future (records and snapshots after the target), so every seek starts from the end of
    the run: after each one the run goes forward again (not timed). Each target is timed
    ``tries`` times and keeps its best, so a burst of other work on the machine does not
    pass for the engine's worst case; the figure is the worst target."""
    from simulator.engine import Simulation

    n = orders_for(hops)
    topo = load(n)
    sim = Simulation(topo, history=True)
    sim.run()
    last = sim.seq
    print(
        f"\n## 4. Seek: {n * HOPS_PER_ORDER:,}-hop run with history "
        f"({last:,} records, {sim.steps:,} steps), "
        f"{count} random targets, best of {tries} each"
    )
    rng = random.Random(1)
    best = []
    for _ in range(count):
        target = rng.randint(1, last - 1)
        times = []
        for _ in range(tries):
            gc.collect()
            t0 = time.perf_counter()
            sim.seek(target)
            times.append((time.perf_counter() - t0) * 1000)
            if not target <= sim.seq < target + 16:  # the first step boundary at or after target
                raise SystemExit(f"seek({target}) left sim.seq at {sim.seq}")
            sim.run()
            if sim.seq != last:
                raise SystemExit(
                    f"re-running after seek({target}) ended at seq {sim.seq}, not {last}"
                )
        best.append((min(times), target))
    out["seek_worst"] = max(best)[0]
    out["seek_median"] = statistics.median(t for t, _ in best)
    print(
        f"  worst {out['seek_worst']:.2f} ms (seek({max(best)[1]})), "
        f"median {out['seek_median']:.2f} ms "
        f"(goal worst <= {GOAL_SEEK_MS:g} ms)"
    )


# -- report -------------------------------------------------------------------------------


def calibrate(reps: int = 5) -> list[float]:
    """ms for a fixed pure-Python loop, a few times: how steady the machine is right now."""
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        x = 0
        for i in range(300_000):
            x += i
        times.append((time.perf_counter() - t0) * 1000)
    return times


def noise_line(label: str, times: list[float]) -> str:
    spread = (max(times) - min(times)) / min(times)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    warn = (
        "  << noisy: other work on this machine; compare figures with care"
        if spread > 0.15 or load > 0.7
        else ""
    )
    return (
        f"{label}: calibration loop {min(times):.1f}..{max(times):.1f} ms "
        f"(spread {spread:.0%}), load average {load:.2f}{warn}"
    )


def machine() -> str:
    model = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        commit = (
            subprocess.run(
                ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT
            ).stdout.strip()
            or "no commit yet"
        )
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "simulator/engine"],
            capture_output=True,
            text=True,
            cwd=ROOT,
        ).stdout.strip()
        if dirty:
            commit += " (simulator/engine has uncommitted changes)"
    except OSError:
        commit = "unknown (no git)"
    import simpy

    return (
        f"machine: {model or 'unknown CPU'}, {os.cpu_count()} cores, "
        f"{platform.system()} {platform.release()}\n"
        f"python {platform.python_version()} ({platform.python_implementation()}), "
        f"SimPy {simpy.__version__}\n"
        f"msglab commit: {commit}"
    )


def summary(out: dict, note: str) -> None:
    rows = [
        ("msglab throughput (history on)", f"{out['ml_rate']:,.0f} hops/s", "-", "info"),
        ("SimPy throughput (idiomatic)", f"{out['sp_rate']:,.0f} hops/s", "-", "info"),
        (
            "msglab / SimPy (median of pairs)",
            f"{out['ratio']:.2f}x",
            f">= {GOAL_RATIO:g}x (stretch {STRETCH_RATIO:g}x)",
            met(out["ratio"] >= GOAL_RATIO)
            + (" +stretch" if out["ratio"] >= STRETCH_RATIO else ""),
        ),
        (
            "per-hop cost growth, 4 sizes",
            f"{out['growth']:.2f}x",
            f"<= {GOAL_GROWTH:g}x",
            met(out["growth"] <= GOAL_GROWTH),
        ),
        (
            "peak RSS over bare, no history",
            f"{out['mem_over_bare_mb']:.1f} MB",
            f"<= {GOAL_MEM_MB:g} MB",
            met(out["mem_over_bare_mb"] <= GOAL_MEM_MB),
        ),
        (
            "history memory",
            f"{out['bytes_per_hop']:.0f} B/hop",
            f"<= {GOAL_BYTES_PER_HOP:g} B/hop",
            met(out["bytes_per_hop"] <= GOAL_BYTES_PER_HOP),
        ),
        (
            "seek, worst of 20",
            f"{out['seek_worst']:.2f} ms",
            f"<= {GOAL_SEEK_MS:g} ms",
            met(out["seek_worst"] <= GOAL_SEEK_MS),
        ),
        ("seek, median", f"{out['seek_median']:.2f} ms", "-", "info"),
        ("hop counts msglab == SimPy", "yes", "must agree", "MET"),
    ]
    print_summary(rows, note)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_size_flags(
        p,
        quick="1/10 scale, 3 pairs: a smoke check",
        smoke="1/100 scale, 1 pair, 1 round: checks the script runs, figures mean nothing",
    )
    p.add_argument(
        "--every-ms",
        type=float,
        default=EVERY_MS,
        help=f"the gateway's send interval (default {EVERY_MS:g}: the flow keeps up; below 1.2 "
        "order.commands backs up, because its consumer is busy 1.2 ms per order)",
    )
    p.add_argument("--child", nargs=2, metavar=("MODE", "HOPS"), help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    global EVERY
    EVERY = args.every_ms
    if args.child:
        child_measure(args.child[0], int(args.child[1]))
        return 0

    mode = size_of(args)
    size = SIZES[mode]
    print("# msglab engine benchmark" + ("" if mode == "full" else f" (--{mode})"))
    print(machine())
    print(f"model: order flow, {HOPS_PER_ORDER} hops per order: {', '.join(HOP_LIST)}")
    print(noise_line("noise before", calibrate()))
    out: dict[str, Any] = {}
    throughput(100_000 // size.scale, size.pairs, out)
    scaling(
        [s // size.scale for s in (1_000, 10_000, 100_000, 1_000_000)],
        size.rounds,
        size.budget_s,
        out,
    )
    memory(1_000_000 // size.scale, out)
    seek(10_000 // size.scale, 20, size.seek_tries, out)
    print("\n" + noise_line("noise after", calibrate()))
    summary(out, size.note)
    return 0


if __name__ == "__main__":
    sys.exit(main())
