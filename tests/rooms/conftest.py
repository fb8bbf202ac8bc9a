from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio

from simulator.rooms.hub import HUB


@pytest_asyncio.fixture(autouse=True)
async def no_rooms_from_other_tests() -> AsyncIterator[None]:
    """The process's hub starts and ends every test empty, on the test's own event loop."""
    await HUB.reset()
    yield
    await HUB.reset()
