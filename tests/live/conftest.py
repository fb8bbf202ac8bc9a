from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from simulator.consumers import RUNS
from tests.live.viewers import ManualClock


@pytest_asyncio.fixture(autouse=True)
async def no_runs_from_other_tests() -> AsyncIterator[None]:
    """The process-wide registry starts and ends every test empty: runs left behind by one test
    would count towards the limit of a later one, or keep playing into it."""
    await RUNS.close_all()
    yield
    await RUNS.close_all()


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> ManualClock:
    """The live layer's clock, stopped until the test moves it: a playing run holds still (no
    run in this suite has anything due at t=0) and a rate limit refills only when told."""
    manual = ManualClock()
    monkeypatch.setattr(RUNS, "clock", manual)
    return manual
