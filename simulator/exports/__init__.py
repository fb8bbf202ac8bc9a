"""Exports of a run: a Mermaid sequence diagram, a standalone SVG of it, the trace as JSON Lines.

Pure Python, no Django, no I/O: the CLI (``manage.py simulate --format …``) and the live run's
``export`` frame both call :func:`export`. At most :data:`LIMIT` records are exported; given
more, the latest ones are kept (the diagrams say so in their header).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, get_args

from simulator.engine import Topology

from . import jsonl, mermaid, svg
from .sequence import LIMIT, SequenceDiagram, build

Format = Literal["mermaid", "svg", "jsonl"]
FORMATS: tuple[Format, ...] = get_args(Format)

MEDIA_TYPES: dict[Format, str] = {
    "mermaid": "text/plain; charset=utf-8",
    "svg": "image/svg+xml",
    "jsonl": "application/x-ndjson",
}
SUFFIXES: dict[Format, str] = {
    "mermaid": "-sequence.mmd",
    "svg": "-sequence.svg",
    "jsonl": "-trace.jsonl",
}

__all__ = ["FORMATS", "LIMIT", "MEDIA_TYPES", "Export", "Format", "SequenceDiagram", "build"]
__all__ += ["export", "slugify"]


@dataclass(frozen=True, slots=True)
class Export:
    text: str
    filename: str
    media_type: str


def slugify(name: str) -> str:
    """A safe file-name stem: lower-case ASCII letters and digits joined by single dashes."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    return slug[:60].rstrip("-") or "run"


def export(
    topology: Topology, records: Sequence[Mapping[str, Any]], fmt: Format, name: str
) -> Export:
    """``records`` (trace dicts, oldest first) of a run of ``topology`` in format ``fmt``.

    ``name`` (a scenario slug or a topology's name) only names the file. Unknown keys in the
    records are ignored; beyond :data:`LIMIT` records only the latest ones are exported.
    """
    if fmt not in FORMATS:
        raise ValueError(f"format: must be one of {', '.join(FORMATS)}, got {fmt!r}")
    kept = records[-LIMIT:] if len(records) > LIMIT else records
    if fmt == "jsonl":
        text = jsonl.render(kept)
    else:
        diagram = build(topology, records)
        text = mermaid.render(diagram) if fmt == "mermaid" else svg.render(diagram)
    return Export(text=text, filename=slugify(name) + SUFFIXES[fmt], media_type=MEDIA_TYPES[fmt])
