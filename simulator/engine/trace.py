"""Trace records and envelopes as JSON-ready dicts: made only when someone reads them."""

from __future__ import annotations

import struct
from array import array
from bisect import bisect_left
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

__all__ = ["EVENTS", "Records", "envelope", "message_id", "record"]


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


class Records:
    """The trace as the engine keeps it: one packed int per record beside its envelope.

    A key packs ``time << 20 | event << 16 | from << 8 | to``. New keys go to a list (the hot
    path appends to it directly); whole blocks then move into an int array at 8 bytes a key.
    Details (reasons, attempts, depths) are rare, so they live in a sparse side table. Records
    are numbered from 1; ``base`` records before the first kept one were let go.
    """

    __slots__ = ("base", "details", "detail_seqs", "envelopes", "keys", "packed")

    BLOCK = struct.Struct("4096q")

    def __init__(self) -> None:
        self.base = 0
        self.packed = array("q")
        self.keys: list[int] = []
        self.envelopes: list[Envelope | None] = []
        self.detail_seqs = array("q")  # ascending
        self.details: list[dict[str, Any]] = []

    @property
    def seq(self) -> int:
        """The number of the last record written."""
        return self.base + len(self.packed) + len(self.keys)

    def add(self, key: int, env: Envelope | None, detail: dict[str, Any] | None) -> None:
        self.keys.append(key)
        self.envelopes.append(env)
        if detail is not None:
            self.detail_seqs.append(self.seq)
            self.details.append(detail)

    def pack(self) -> None:
        """Move whole blocks of keys into the array (a no-op until a block is full)."""
        keys, size = self.keys, self.BLOCK.size // 8
        while len(keys) >= size:
            self.packed.frombytes(self.BLOCK.pack(*keys[:size]))
            del keys[:size]

    def mark(self) -> tuple[int, int]:
        """Where the trace ends now, for :meth:`truncate`."""
        return self.seq, len(self.details)

    def truncate(self, mark: tuple[int, int]) -> None:
        """Forget every record after ``mark``."""
        seq, details = mark
        keep = seq - self.base
        if keep <= len(self.packed):
            del self.packed[keep:]
            del self.keys[:]
        else:
            del self.keys[keep - len(self.packed) :]
        del self.envelopes[keep:]
        del self.detail_seqs[details:]
        del self.details[details:]

    def forget(self) -> None:
        """Let go of every record kept so far; numbering goes on."""
        self.base = self.seq
        del self.packed[:]
        del self.keys[:]
        del self.envelopes[:]
        del self.detail_seqs[:]
        del self.details[:]

    def dicts(self, nodes: Sequence[Node], start: int, stop: int) -> list[dict[str, Any]]:
        """Records ``start <= seq < stop`` as JSON-ready dicts (only those still kept)."""
        start, stop = max(start, self.base + 1), min(stop, self.seq + 1)
        lo, hi = bisect_left(self.detail_seqs, start), bisect_left(self.detail_seqs, stop)
        details = dict(zip(self.detail_seqs[lo:hi], self.details[lo:hi], strict=True))
        packed, out = self.packed, []
        for seq in range(start, stop):
            i = seq - self.base - 1
            key = packed[i] if i < len(packed) else self.keys[i - len(packed)]
            out.append(record(nodes, seq, key, self.envelopes[i], details.get(seq)))
        return out
