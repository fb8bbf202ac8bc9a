"""The live-stream benchmark still runs against a real Daphne and prints every figure (no
timings are asserted: speed is measured in benchmarks, not in tests)."""

from __future__ import annotations

import pytest

from tests.benchmarks import assert_mentions, run_smoke, summary_line, summary_of

pytestmark = pytest.mark.subprocess


def test_the_smoke_live_benchmark_prints_every_figure_and_exits_0() -> None:
    out = run_smoke("live.py", timeout=120)

    assert_mentions(
        out,
        (
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
        ),
    )
    summary = summary_of(out)
    assert_mentions(
        summary,
        (
            "step -> hops, median",
            "step -> hops, p99",
            "echo round trip, median / p99",
            "step / echo, median / p99",
            "live stream, speed 8",
            "engine in-process",
            "live / engine (hops)",
            "pacing at max speed",
        ),
    )
    p99 = summary_line(summary, "step -> hops, p99")
    assert p99.endswith(("<= 10 ms  MET", "<= 10 ms  NOT MET"))
