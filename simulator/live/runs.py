"""The runs one server process keeps: watched ones, and unwatched ones for a grace period.

A viewer whose connection drops comes back with the run's id and finds it where it was.
"""

from __future__ import annotations

import secrets
import time

from simulator.engine import Topology

from .run import Clock, LiveRun, Viewer


class Busy(Exception):
    """The process keeps as many runs as it may."""


class Runs:
    def __init__(self, grace_seconds: float, limit: int, clock: Clock = time.monotonic) -> None:
        self.grace_seconds = grace_seconds
        self.limit = limit
        self.clock = clock  # for grace periods, and handed to every new run for its pacing
        self._runs: dict[str, LiveRun] = {}
        self._unwatched_since: dict[str, float] = {}

    def __len__(self) -> int:
        return len(self._runs)

    def get(self, run_id: str) -> LiveRun | None:
        return self._runs.get(run_id)

    async def join(
        self, viewer: Viewer, scenario: str, topology: Topology, run_id: str | None = None
    ) -> LiveRun:
        """Attach ``viewer`` to run ``run_id`` of ``scenario`` if it is kept, else to a new run."""
        await self._sweep()
        run = self._runs.get(run_id or "")  # pragma: no mutate
        if run is None or run.scenario != scenario:
            if len(self._runs) >= self.limit:
                runs = "run" if self.limit == 1 else "runs"
                raise Busy(f"this server already keeps {self.limit} {runs}; try again later")
            run = LiveRun(secrets.token_urlsafe(12), scenario, topology, self.clock)
            self._runs[run.id] = run
        self._unwatched_since.pop(run.id, None)
        await run.attach(viewer)
        return run

    async def leave(self, run: LiveRun, viewer: Viewer) -> None:
        await run.detach(viewer)
        if not run.viewers and self._runs.get(run.id) is run:  # not one already let go
            self._unwatched_since[run.id] = self.clock()
        await self._sweep()

    async def close_all(self) -> None:
        """Stop and forget every run (a server shutting down; tests starting afresh)."""
        runs, self._runs = list(self._runs.values()), {}
        self._unwatched_since.clear()
        for run in runs:
            await run.close()

    async def _sweep(self) -> None:
        # lazily, on joins and leaves: no timer that would tie the registry to one event loop
        deadline = self.clock() - self.grace_seconds
        for run_id, since in list(self._unwatched_since.items()):
            if since <= deadline:
                del self._unwatched_since[run_id]
                await self._runs.pop(run_id).close()
