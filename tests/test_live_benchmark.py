"""The live-stream benchmark still runs against a real Daphne and prints every figure (no
timings are asserted: speed is measured in benchmarks, not in tests)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_quick_live_benchmark_prints_every_figure_and_exits_0() -> None:
    result = subprocess.run(
        [sys.executable, "bench/live.py", "--quick"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    for line in (
        "machine: ",
        "python ",
        "noise before: calibration loop",
        "step -> hops frame: median",
        "echo round trip: median",
        "step / echo: median",
        "live: ",
        "engine in-process",
        "live / engine: ",
        "=> pacing ",
        "noise after: calibration loop",
    ):
        assert line in out, f"missing {line!r} in:\n{out}"
    summary = out.split("## Summary", 1)[1]
    for figure in (
        "step -> hops, median",
        "step -> hops, p99",
        "echo round trip, median / p99",
        "step / echo, median / p99",
        "live stream, speed 8",
        "engine in-process",
        "live / engine (hops)",
        "pacing at max speed",
    ):
        assert figure in summary, f"missing {figure!r} in the summary:\n{summary}"
    p99 = next(line for line in summary.splitlines() if "step -> hops, p99" in line)
    assert p99.rstrip().endswith(("<= 10 ms  MET", "<= 10 ms  NOT MET"))
