"""Who advances a room's run: exactly one process at a time holds the room's lease.

One process (the embedded default) holds every lease itself. With Redis, a lease is a key
that expires unless its holder renews it, so a process that dies loses its rooms within
``ttl`` and another takes them over. The holder's name is its channel-layer channel, so the
others know where to send the presenter's actions.
"""

from __future__ import annotations

from typing import Protocol

_RENEW = """
if redis.call('get', KEYS[1]) == ARGV[1] then
    return redis.call('pexpire', KEYS[1], ARGV[2])
end
return 0
"""
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then
    return redis.call('del', KEYS[1])
end
return 0
"""


class Leases(Protocol):
    async def acquire(self, room: str, holder: str) -> bool: ...
    async def renew(self, room: str, holder: str) -> bool: ...
    async def holder(self, room: str) -> str | None: ...
    async def release(self, room: str, holder: str) -> None: ...


class LocalLeases:
    """One process: a lease is held until released."""

    def __init__(self) -> None:
        self._held: dict[str, str] = {}

    async def acquire(self, room: str, holder: str) -> bool:
        return self._held.setdefault(room, holder) == holder

    async def renew(self, room: str, holder: str) -> bool:
        return self._held.get(room) == holder

    async def holder(self, room: str) -> str | None:
        return self._held.get(room)

    async def release(self, room: str, holder: str) -> None:
        if self._held.get(room) == holder:
            del self._held[room]


class RedisLeases:
    def __init__(self, url: str, ttl_seconds: float) -> None:
        import redis.asyncio as redis

        self._redis = redis.from_url(url, decode_responses=True)
        self._ttl_ms = int(ttl_seconds * 1000)

    @staticmethod
    def _key(room: str) -> str:
        return f"msglab:room-lease:{room}"

    async def acquire(self, room: str, holder: str) -> bool:
        key = self._key(room)
        if await self._redis.set(key, holder, nx=True, px=self._ttl_ms):
            return True
        return await self.renew(room, holder)  # already ours

    async def renew(self, room: str, holder: str) -> bool:
        done = await self._redis.eval(_RENEW, 1, self._key(room), holder, self._ttl_ms)
        return bool(done)

    async def holder(self, room: str) -> str | None:
        value = await self._redis.get(self._key(room))
        return None if value is None else str(value)

    async def release(self, room: str, holder: str) -> None:
        await self._redis.eval(_RELEASE, 1, self._key(room), holder)
