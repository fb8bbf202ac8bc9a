"""The classroom benchmark still runs a room against real Daphnes (and Redis, where installed)
and prints every figure (no timings are asserted: speed is measured in benchmarks, not in
tests)."""

from __future__ import annotations

import os
import shutil

import pytest

from tests.benchmarks import assert_mentions, run_smoke, summary_line, summary_of

pytestmark = pytest.mark.subprocess


def test_the_smoke_classroom_benchmark_prints_every_figure_and_exits_0() -> None:
    # Without redis-server the script says so and exits 0, except under
    # MSGLAB_REQUIRE_BROWSER=1 (CI), where it exits 3: run_smoke then fails with its output.
    redis = shutil.which("redis-server") is not None
    out = run_smoke("classroom.py", timeout=300)

    assert_mentions(
        out,
        (
            "machine: ",
            "python ",
            "noise before: calibration loop",
            "students connected in",
            "the room counts 5 students",
            "send -> receipt p50",
            "driven: ",
            "accounting at the end",
            "=> 5 students, the two windows without a stalled student pooled: p50",
            "where it goes, Daphne 1: the first of its students",
            "machine: ",
            "stalled: the others' p95",
            "stalled: Daphne RSS",
            "stalled: reading again after the window, it got the ",
            "lab students connected in",
            "probe step -> hops: ",
            "load: ",
            "peer: the same probe on the same server before the class came",
            "noise after: calibration loop",
        ),
    )
    if redis:
        assert_mentions(out, ("redis-server pid ", "the room counts 6 students", "server logs: "))
    else:
        assert os.environ.get("MSGLAB_REQUIRE_BROWSER") != "1"
        assert "Two Daphnes and Redis: NOT MEASURED — redis-server not found" in out

    summary = summary_of(out)
    assert_mentions(
        summary,
        (
            "embedded, 5 students: p95",
            "embedded, 5 students: lost",
            "stalled student: others' p95 with / without",
            "stalled student: Daphne RSS growth",
            "stalled student: frames held for it",
            "lab, 5 runs: probe step p50 / p95",
            "peer: lab probe p95 / the same probe alone",
            "hops/s driven",
        ),
    )
    assert goal_and_status(summary, "embedded, 5 students: p95")[0] == "<= 100 ms"
    assert goal_and_status(summary, "embedded, 5 students: lost")[0] == "0"
    assert goal_and_status(summary, "stalled student: others' p95")[0] == "<= 1.10"
    if redis:
        assert goal_and_status(summary, "redis, 2 Daphnes, 6 students: p95")[0] == "<= 150 ms"
        assert "peer: redis 6 p95 / embedded 5 p95" in summary
    else:
        assert goal_and_status(summary, "redis, 2 Daphnes")[1] == "NOT MEASURED"


def goal_and_status(summary: str, figure: str) -> tuple[str, str]:
    """A summary row's goal and status (columns are padded with two spaces or more)."""
    cells = [cell.strip() for cell in summary_line(summary, figure).split("  ") if cell.strip()]
    assert cells[-1] in ("MET", "NOT MET", "info", "NOT MEASURED"), cells
    return cells[-2], cells[-1]
