"""The trace as JSON Lines: one compact JSON object per record, as ``manage.py simulate`` prints.

Only the keys the engine writes are kept (a live run adds a narration ``text``), in the
engine's order, so a record exported from a live run reads like the same record from the CLI.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

KEYS = ("seq", "t", "event", "from", "to", "message", "detail")  # simulator.engine.trace.record


def line(record: Mapping[str, Any]) -> str:
    """One record as one line of JSON, without the line break."""
    kept = {key: record[key] for key in KEYS if key in record}
    return json.dumps(kept, separators=(",", ":"))


def render(records: Iterable[Mapping[str, Any]]) -> str:
    """The records as JSON Lines, each line ended by a line break."""
    return "".join(f"{line(record)}\n" for record in records)
