"""Topologies from the editor: checked by the engine, stored under a hash of their content.

The page is never trusted: every document is validated by the engine before it is stored or
run. A stored document is the engine's canonical form (defaults filled in, keys sorted), so
the same topology always gets the same id.
"""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from simulator import explain
from simulator.engine import Topology, TopologyError, load_topology
from simulator.engine.layout import layout

from .models import SavedTopology

MAX_BYTES = 64 * 1024  # of JSON, as sent
ID_BYTES = 15  # 120 bits of SHA-256, 24 characters of base32
DRAFT_LIFETIME = timedelta(days=1)
MAX_DRAFTS = 10_000  # beyond this the oldest go first, whatever their age


class Refused(Exception):
    """A document that cannot be stored or run: every problem, each with its JSON path."""

    def __init__(self, problems: list[dict[str, str]]) -> None:
        super().__init__("; ".join(f"{p['path']}: {p['message']}" for p in problems))
        self.problems = problems


def parse(body: bytes) -> Any:
    """The JSON document in a request body, or :class:`Refused` saying why not."""
    if len(body) > MAX_BYTES:
        raise Refused([problem("", f"a topology may be at most {MAX_BYTES // 1024} KB of JSON")])
    try:
        return json.loads(body, parse_constant=_not_json)
    except (ValueError, RecursionError) as error:
        raise Refused([problem("", f"not JSON: {error}")]) from None


def check(data: Any) -> Topology:
    """The engine's topology for ``data``, or :class:`Refused` with every problem found."""
    try:
        return load_topology(data)
    except TopologyError as error:
        raise Refused([problem(p.path, p.message) for p in error.problems]) from None


def report(body: bytes) -> dict[str, Any]:
    """What the editor shows while you edit a document: its problems, its warnings, and where
    its nodes go."""
    try:
        document = parse(body)
        topology = check(document)
    except Refused as refused:
        return {"ok": False, "problems": refused.problems, "warnings": [], "layout": None}
    return {
        "ok": True,
        "problems": [],
        "warnings": explain.warnings(document, topology),  # explained, with fixes on offer
        "layout": layout(topology),
    }


def canonical(topology: Topology) -> str:
    return json.dumps(topology.to_dict(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def topology_id(text: str) -> str:
    digest = hashlib.sha256(text.encode()).digest()[:ID_BYTES]
    return base64.b32encode(digest).decode().lower()


def store(topology: Topology, *, save: bool) -> SavedTopology:
    """Keep ``topology``: saved for good, or as a draft to run. Idempotent."""
    text = canonical(topology)
    now = timezone.now()
    with transaction.atomic():
        row, created = SavedTopology.objects.get_or_create(
            id=topology_id(text),
            defaults={"canonical": text, "title": topology.name, "saved": save, "last_run": now},
        )
        if not created:  # run again, or saved after a run
            row.saved = row.saved or save
            row.last_run = now
            row.save(update_fields=["saved", "last_run"])
    if not save:
        forget_old_drafts(now)
    return row


def load(topology_id: str, *, drafts: bool) -> Topology | None:
    """The stored topology with that id (drafts too, if asked), checked again by the engine."""
    rows = SavedTopology.objects.all() if drafts else SavedTopology.objects.filter(saved=True)
    row = rows.filter(id=topology_id).first()
    if row is None:
        return None
    return load_topology(json.loads(row.canonical))


def forget_old_drafts(now: Any = None) -> int:
    """Delete drafts not run for a day, and the oldest beyond MAX_DRAFTS; how many went."""
    now = now or timezone.now()
    drafts = SavedTopology.objects.filter(saved=False)
    gone, _ = drafts.filter(last_run__lt=now - DRAFT_LIFETIME).delete()
    excess = drafts.order_by("-last_run").values_list("id", flat=True)[MAX_DRAFTS:]
    if excess:
        more, _ = SavedTopology.objects.filter(id__in=list(excess)).delete()
        gone += more
    return gone


def problem(path: str, message: str) -> dict[str, str]:
    return {"path": path, "message": message}


def _not_json(constant: str) -> None:
    raise ValueError(f"{constant} is not JSON")
