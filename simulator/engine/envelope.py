"""The envelope: what every message carries, whatever its kind."""

from __future__ import annotations

from typing import Any


class Envelope:
    """One message. Immutable once made: snapshots share envelopes instead of copying them.

    Ids are ints inside the engine (``m`` + number outside); ``source`` is a node index and
    ``depth`` counts the causation chain back to a client's send.
    """

    __slots__ = (
        "causation_id",
        "correlation_id",
        "depth",
        "headers",
        "id",
        "kind",
        "payload",
        "sent_at",
        "source",
        "type",
    )

    def __init__(
        self,
        id: int,
        type: str,
        kind: str,
        correlation_id: int,
        causation_id: int | None,
        payload: dict[str, Any],
        headers: dict[str, str],
        sent_at: int,
        source: int,
        depth: int,
    ) -> None:
        self.id = id
        self.type = type
        self.kind = kind
        self.correlation_id = correlation_id
        self.causation_id = causation_id
        self.payload = payload
        self.headers = headers
        self.sent_at = sent_at
        self.source = source
        self.depth = depth


def message_id(n: int) -> str:
    return f"m{n}"
