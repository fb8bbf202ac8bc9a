"""Rate limits for client frames."""

from __future__ import annotations

import time
from collections.abc import Callable

from .protocol import FrameError


class TokenBucket:
    """Allows bursts of ``burst`` frames, refilled at ``rate`` per second."""

    def __init__(
        self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate = rate
        self.burst = burst
        self.clock = clock
        self._tokens = float(burst)
        self._at = clock()

    def take(self) -> bool:
        now = self.clock()
        self._tokens = min(self.burst, self._tokens + (now - self._at) * self.rate)
        self._at = now
        if self._tokens < 1:
            return False
        self._tokens -= 1
        return True


def admit(bucket: TokenBucket, text: str | None) -> str:
    """A client's frame past the connection's rate limit, as text; else the refusal to send.

    Both WebSocket endpoints take their frames through here.
    """
    if not bucket.take():
        per_second = f"{bucket.rate:g}"
        raise FrameError("rate_limited", f"at most {per_second} frames a second; slow down")
    if text is None:
        raise FrameError("not_json", "binary frames are not accepted; send JSON text")
    return text
