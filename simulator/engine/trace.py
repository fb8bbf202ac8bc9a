"""Trace records and envelopes as JSON-ready dicts: made only when someone reads them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .envelope import (
    CAUSATION_ID,
    CORRELATION_ID,
    HEADERS,
    ID,
    KIND,
    PAYLOAD,
    SENT_AT,
    SOURCE,
    TYPE,
    Envelope,
    message_id,
)
from .topology import NO_NODE, Node, millis

EVENTS = ("hop", "handled", "failed", "retry", "dead_lettered", "dropped", "waiting", "halted")

__all__ = ["EVENTS", "envelope", "message_id", "record"]


def envelope(nodes: Sequence[Node], env: Envelope) -> dict[str, Any]:
    return {
        "id": message_id(env[ID]),
        "type": env[TYPE],
        "kind": env[KIND],
        "correlation_id": message_id(env[CORRELATION_ID]),
        "causation_id": None if env[CAUSATION_ID] is None else message_id(env[CAUSATION_ID]),
        "payload": dict(env[PAYLOAD]),
        "headers": {"source": nodes[env[SOURCE]].id, **env[HEADERS]},
        "sent_at": millis(env[SENT_AT]),
    }


def record(
    nodes: Sequence[Node], seq: int, key: int, env: Envelope | None, detail: dict[str, Any] | None
) -> dict[str, Any]:
    frm, to = (key >> 8) & 0xFF, key & 0xFF
    out: dict[str, Any] = {
        "seq": seq,
        "t": millis(key >> 20),
        "event": EVENTS[(key >> 16) & 0xF],
        "from": None if frm == NO_NODE else nodes[frm].id,
        "to": None if to == NO_NODE else nodes[to].id,
        "message": None if env is None else envelope(nodes, env),
    }
    if detail:
        out["detail"] = dict(detail)
    return out
