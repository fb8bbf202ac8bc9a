"""The summary table every benchmark ends with: figure, value, goal, status."""

from __future__ import annotations


def met(ok: bool) -> str:
    return "MET" if ok else "NOT MET"


def print_summary(rows: list[tuple[str, str, str, str]], note: str = "") -> None:
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    print("\n## Summary" + (f" ({note})" if note else ""))
    for row in [("figure", "value", "goal", "status"), tuple("-" * w for w in widths), *rows]:
        print("  " + "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)))
