"""The score of the last `make mutate` run: ``python -m tests.mutation`` (docs/testing.md).

Reads what mutmut saved under ``mutants/`` (after ``mutmut export-cicd-stats``) and prints the
share of mutants the fast tests caught. Mutants that time out count as caught: the tests
noticed the change. Equivalent mutants are not counted at all: they carry
``# pragma: no mutate`` in the source, listed with the reason in docs/testing.md.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

STATS = Path("mutants/mutmut-cicd-stats.json")
GOAL = 90.0


def main() -> int:
    if not STATS.exists():
        print(f"{STATS} not found: run `make mutate` (it runs mutmut, then this)", file=sys.stderr)
        return 2
    stats = json.loads(STATS.read_text())
    caught = stats["killed"] + stats["timeout"]
    counted = stats["total"] - stats["skipped"]
    score = 100 * caught / counted if counted else 0.0
    print(
        f"mutation score: {score:.1f}% ({caught} of {counted} mutants caught; goal {GOAL:g}%)\n"
        f"  killed {stats['killed']}, timed out {stats['timeout']}, survived {stats['survived']},"
        f" not covered by a fast test {stats['no_tests']}, suspicious {stats['suspicious']}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
