"""The summary table every benchmark ends with: figure, value, goal, status."""

from __future__ import annotations

import argparse


def met(ok: bool) -> str:
    return "MET" if ok else "NOT MET"


def print_summary(rows: list[tuple[str, str, str, str]], note: str = "") -> None:
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    print("\n## Summary" + (f" ({note})" if note else ""))
    for row in [("figure", "value", "goal", "status"), tuple("-" * w for w in widths), *rows]:
        print("  " + "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)))


def add_size_flags(parser: argparse.ArgumentParser, quick: str, smoke: str) -> None:
    """--quick (smaller, for people) and --smoke (smallest, for the tests): one or neither."""
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help=quick)
    size.add_argument("--smoke", action="store_true", help=smoke)


def size_of(args: argparse.Namespace) -> str:
    """ "full", "quick" or "smoke", from the flags of :func:`add_size_flags`."""
    return "smoke" if args.smoke else "quick" if args.quick else "full"
