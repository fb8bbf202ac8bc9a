"""A limit on guessing join codes: failed lookups per client address, in Django's cache.

With one process the default local-memory cache counts them; with REDIS_URL the cache is
Redis too, so every process counts against the same limit.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache

WINDOW_SECONDS = 60


def _key(address: str) -> str:
    return f"msglab:join-misses:{address}"


def blocked(address: str) -> bool:
    misses: int = cache.get(_key(address), 0)
    return misses >= settings.MSGLAB_JOIN_GUESSES_PER_MINUTE


def missed(address: str) -> None:
    key = _key(address)
    if cache.add(key, 1, WINDOW_SECONDS):
        return
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, WINDOW_SECONDS)


async def ablocked(address: str) -> bool:
    misses: int = await cache.aget(_key(address), 0)
    return misses >= settings.MSGLAB_JOIN_GUESSES_PER_MINUTE


async def amissed(address: str) -> None:
    key = _key(address)
    if await cache.aadd(key, 1, WINDOW_SECONDS):
        return
    try:
        await cache.aincr(key)
    except ValueError:
        await cache.aadd(key, 1, WINDOW_SECONDS)
