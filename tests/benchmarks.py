"""Helpers for the benchmark smoke tests: run a bench/ script with --smoke, read its report."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_smoke(script: str, timeout: float) -> str:
    """Run ``bench/<script> --smoke`` from the repo root; its output, once it has exited 0.

    --smoke is the smallest run that still prints every figure: the tests check that the script
    works, not its timings, so a bigger run would only make the suite slower.
    """
    result = subprocess.run(
        [sys.executable, f"bench/{script}", "--smoke"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def summary_of(out: str) -> str:
    return out.split("## Summary", 1)[1]


def assert_mentions(text: str, parts: Iterable[str]) -> None:
    for part in parts:
        assert part in text, f"missing {part!r} in:\n{text}"


def summary_line(summary: str, figure: str) -> str:
    return next(line for line in summary.splitlines() if figure in line).rstrip()
