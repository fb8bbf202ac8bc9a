"""The engine benchmark still runs and its two models still agree (no timings are asserted)."""

from __future__ import annotations

import pytest

from tests.benchmarks import assert_mentions, run_smoke, summary_line, summary_of

pytestmark = pytest.mark.subprocess


def test_the_smoke_benchmark_prints_every_figure_and_both_models_count_the_same_hops() -> None:
    summary = summary_of(run_smoke("engine.py", timeout=300))

    assert_mentions(
        summary,
        (
            "msglab / SimPy (median of pairs)",
            "per-hop cost growth, 4 sizes",
            "peak RSS over bare, no history",
            "history memory",
            "seek, worst of 20",
        ),
    )
    assert summary_line(summary, "hop counts msglab == SimPy").split()[-1] == "MET"
