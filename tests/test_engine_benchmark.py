"""The engine benchmark still runs and its two models still agree (no timings are asserted)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_quick_benchmark_prints_every_figure_and_both_models_count_the_same_hops() -> None:
    result = subprocess.run(
        [sys.executable, "bench/engine.py", "--quick"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    summary = result.stdout.split("## Summary", 1)[1]
    for figure in (
        "msglab / SimPy (median of pairs)",
        "per-hop cost growth, 4 sizes",
        "peak RSS over bare, no history",
        "history memory",
        "seek, worst of 20",
    ):
        assert figure in summary
    agree = next(line for line in summary.splitlines() if "hop counts msglab == SimPy" in line)
    assert agree.split()[-1] == "MET"
