"""The envelope: what every message carries, whatever its kind.

Inside the engine an envelope is a plain tuple, indexed by the constants below. Plain tuples
are the cheapest object CPython makes, they are immutable (so snapshots share them), and the
garbage collector stops scanning them once it has seen that they hold only plain values,
which matters when a long history keeps millions of them.
"""

from __future__ import annotations

from typing import Any, Final

Envelope = tuple[int, str, str, int, "int | None", dict[str, Any], dict[str, str], int, int, int]
"""``(id, type, kind, correlation_id, causation_id, payload, headers, sent_at, source, depth)``:
ids are ints (``m`` + number outside), ``source`` is a node index, and ``depth`` counts the
causation chain back to a client's send."""

ID: Final = 0
TYPE: Final = 1
KIND: Final = 2
CORRELATION_ID: Final = 3
CAUSATION_ID: Final = 4
PAYLOAD: Final = 5
HEADERS: Final = 6
SENT_AT: Final = 7
SOURCE: Final = 8
DEPTH: Final = 9


def message_id(n: int) -> str:
    return f"m{n}"
