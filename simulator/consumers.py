"""The live stream's WebSocket endpoint: /ws/sim/ (docs/protocol.md).

The consumer only adapts a socket to a run: it finds the topology to run (a scenario by its
slug, or one from the editor by its id), checks each frame, applies the limits and hands
checked actions to the run, which answers every viewer.
"""

from __future__ import annotations

from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings

from simulator import topologies
from simulator.engine import Topology
from simulator.live.limits import TokenBucket, admit
from simulator.live.protocol import FrameError, parse_frame
from simulator.live.run import LiveRun, encode
from simulator.live.runs import Busy, Runs
from simulator.scenarios import ScenarioNotFound, load_scenario

# 4000-4999 are the application's own (Daphne sends only those and 1000): 4404 like HTTP 404
CLOSE_UNKNOWN_SCENARIO = 4404
CLOSE_BUSY = 4503

RUNS = Runs(grace_seconds=settings.MSGLAB_RUN_GRACE_SECONDS, limit=settings.MSGLAB_MAX_RUNS)


class SimulationConsumer(AsyncWebsocketConsumer):
    run: LiveRun | None = None

    async def connect(self) -> None:
        query = parse_qs(self.scope["query_string"].decode("latin-1"))  # pragma: no mutate
        self.bucket = TokenBucket(
            rate=settings.MSGLAB_FRAMES_PER_SECOND,
            burst=settings.MSGLAB_FRAMES_PER_SECOND,
            clock=RUNS.clock,
        )
        await self.accept()
        try:
            name, topology = await self.topology(query)
        except FrameError as unknown:
            await self.refuse(unknown)
            await self.close(code=CLOSE_UNKNOWN_SCENARIO)
            return
        try:
            self.run = await RUNS.join(self.send_text, name, topology, query.get("run", [None])[0])
        except Busy as busy:
            await self.refuse(FrameError("busy", str(busy)))
            await self.close(code=CLOSE_BUSY)

    async def topology(self, query: dict[str, list[str]]) -> tuple[str, Topology]:
        """The run's name and topology: ``?topology=<id>`` from the editor (checked by the
        engine again on the way out of the database), else ``?scenario=<slug>``."""
        if "topology" in query:
            topology_id = query["topology"][0]
            topology = await database_sync_to_async(topologies.load)(topology_id, drafts=True)
            if topology is None:
                detail = f"no saved topology {topology_id!r}"
                raise FrameError("unknown_scenario", detail, "topology")
            return f"t/{topology_id}", topology
        slug = query.get("scenario", [""])[0]
        try:
            return slug, load_scenario(slug).topology
        except ScenarioNotFound:
            detail = f"no scenario called {slug!r}" if slug else "add ?scenario=<slug> to the URL"
            raise FrameError("unknown_scenario", detail, "scenario") from None

    async def disconnect(self, code: int) -> None:
        if self.run is not None:
            await RUNS.leave(self.run, self.send_text)
            self.run = None  # pragma: no mutate

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self.run is None:
            return  # closing
        try:
            await self.run.handle(parse_frame(admit(self.bucket, text_data)), self.send_text)
        except FrameError as error:
            await self.refuse(error)

    async def send_text(self, text: str) -> None:
        await self.send(text_data=text)

    async def refuse(self, error: FrameError) -> None:
        await self.send(text_data=encode(error.frame(self.run.sim.seq if self.run else 0)))
