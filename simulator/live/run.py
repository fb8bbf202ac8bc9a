"""A live run: one simulation, paced in wall time, that any number of viewers watch and drive.

The run owns the simulation, the play loop and the speed; the engine keeps the action log.
Viewers are coroutines that take one encoded frame: a run encodes each frame once, however
many watch it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

from simulator.engine import ActionError, Simulation, Topology, load_topology
from simulator.engine.layout import layout
from simulator.engine.narrate import narrate
from simulator.engine.routes import arrivals
from simulator.exports import LIMIT, Format, export

from .protocol import (
    Back,
    Breakpoint,
    ClientFrame,
    Export,
    Fault,
    FrameError,
    Inject,
    Pause,
    Play,
    Reset,
    Resync,
    Seek,
    Speed,
    Step,
    Subscribe,
)

PROTOCOL_VERSION = 1
TIME_SCALE = 100  # wall ms per simulated ms at speed 1: a 10 ms hop takes a second to watch
FRAME_SECONDS = 1 / 60  # one batch of hops per animation frame
MAX_STEPS_PER_FRAME = 500  # beyond this the run lags rather than starving the event loop
IDLE_STATE_SECONDS = 0.25  # while nothing happens, the clock still moves for viewers
CAUGHT_UP_FRAMES = 30  # uncapped frames in a row before `lagging` clears: no flicker
RECENT_RECORDS = 500  # how much of the trace a snapshot carries
MAX_BREAKPOINTS = 20
ARRIVING = ("hop", "dead_lettered")  # the records in which a message arrives at a node

Viewer = Callable[[str], Awaitable[None]]
Clock = Callable[[], float]  # seconds, monotonic


def encode(frame: dict[str, Any]) -> str:
    return json.dumps(frame, ensure_ascii=False, separators=(",", ":"))  # pragma: no mutate


class LiveRun:
    def __init__(
        self, run_id: str, scenario: str, topology: Topology, clock: Clock = time.monotonic
    ) -> None:
        self.id = run_id
        self.scenario = scenario
        self.topology = topology
        self.sim = Simulation(topology)
        # the topology as wired now: subscribe actions add to what it says (see _rewire)
        self.view = topology
        self.layout = layout(topology)
        self.breakpoints: dict[tuple[str, str], None] = {}  # (type, node), in the order set
        self.speed = 1.0
        self.playing = False  # what the learner asked for; the loop runs only while watched
        self.lagging = False
        self.clock = clock  # paces the simulation; frames are timed by the event loop
        self.viewers: list[Viewer] = []
        self._loop_task: asyncio.Task[None] | None = None
        self._flights: set[int] = set()  # the flights viewers know of: hops frames send changes
        self.frame_seconds = FRAME_SECONDS  # how often a playing run sends what happened

    @property
    def advancing(self) -> bool:
        """Whether the play loop is running now (it runs only while playing and watched)."""
        return self._loop_task is not None

    # ---- viewers ----------------------------------------------------------------------------

    async def attach(self, viewer: Viewer) -> None:
        self.viewers.append(viewer)
        await viewer(encode(self.snapshot()))
        self._start_loop()

    async def detach(self, viewer: Viewer) -> None:
        with contextlib.suppress(ValueError):
            self.viewers.remove(viewer)
        if not self.viewers:
            await self._stop_loop()  # nobody watches: stop advancing, remember `playing`

    async def close(self) -> None:
        self.viewers.clear()
        await self._stop_loop()

    async def broadcast(self, frame: dict[str, Any]) -> None:
        text = encode(frame)
        for viewer in list(self.viewers):
            await viewer(text)

    # ---- frames -----------------------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        sim = self.sim
        state = sim.state()
        self._flights = {flight["flight"] for flight in state["in_flight"]}
        return {
            "type": "snapshot",
            "v": PROTOCOL_VERSION,
            "seq": sim.seq,
            "run": self.id,
            "scenario": self.scenario,
            "playing": self.playing,
            "speed": self.speed,
            "time_scale": TIME_SCALE,
            "topology": self.view.to_dict(),
            "layout": self.layout,
            "state": state,
            "warnings": [w.to_dict() for w in self.view.warnings],
            "breakpoints": self._breakpoint_items(),
            "arrivals": arrivals(self.view),
            "trace": self._told(sim.trace(max(1, sim.seq - RECENT_RECORDS + 1))),
        }

    def state(self) -> dict[str, Any]:
        return {
            **self._clock("state"),
            "playing": self.playing,
            "speed": self.speed,
            "lagging": self.lagging,
        }

    def hops(self, records: list[dict[str, Any]]) -> dict[str, Any]:
        scheduled, flights = self.sim.flights(known=self._flights)
        landed, self._flights = sorted(self._flights - flights), flights
        return {
            **self._clock("hops"),
            "items": self._told(records),
            "nodes": self.sim.node_states(),
            "flights": {"scheduled": scheduled, "landed": landed},
        }

    def _clock(self, frame_type: str) -> dict[str, Any]:
        # where the run is: the same fields in `state` and `hops`
        sim = self.sim
        return {
            "type": frame_type,
            "seq": sim.seq,
            "t": sim.now_ms,
            "steps": sim.steps,
            "finished": sim.finished,
            "halted": sim.halted,
        }

    def _told(self, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        for record in records:
            record["text"] = narrate(self.view, record)
        return records

    def _breakpoint_items(self) -> list[dict[str, str]]:
        return [{"type": t, "node": node} for t, node in self.breakpoints]

    def breakpoints_frame(self) -> dict[str, Any]:
        return {"type": "breakpoints", "seq": self.sim.seq, "items": self._breakpoint_items()}

    async def export(self, fmt: Format) -> str:
        """The `export` frame for one viewer: the run so far (its latest records) as a file."""
        sim = self.sim
        first = max(1, sim.seq - LIMIT + 1)  # an export covers the latest LIMIT records
        records = sim.trace(first)
        # Rendered in a thread: the records are fresh dicts and a topology never changes, so
        # this run and every other one play on meanwhile.
        made = await asyncio.to_thread(export, self.view, records, fmt, self.topology.name)
        return encode(
            {
                "type": "export",
                "seq": sim.seq,
                "format": fmt,
                "filename": made.filename,
                "media_type": made.media_type,
                "text": made.text,
                "records": len(records),
                "first_seq": first,
            }
        )

    # ---- control actions --------------------------------------------------------------------

    async def handle(self, frame: ClientFrame, viewer: Viewer) -> None:
        """Carry out one checked client frame from ``viewer`` and answer it.

        Answers that change the run go to every viewer; a resync only to the one that asked.
        A refused frame raises :class:`FrameError` and leaves the run as it was.
        """
        match frame:
            case Play():
                await self._set_playing(True)
            case Pause():
                await self._set_playing(False)
            case Speed(value=value):
                self.speed = value
                await self._restart_loop()  # the pace changes from now, not retroactively
                await self.broadcast(self.state())
            case Step():
                await self._pause_first()
                await self.broadcast(self.hops(self.sim.step()))
            case Back():
                if self.sim.steps == 0:
                    raise FrameError("refused", "already at the start of the run", "action")
                await self._pause_first()
                self.sim.back()
                self._rewire()
                await self.broadcast(self.snapshot())
            case Seek(seq=seq):
                if seq > self.sim.seq:  # checked before pausing: a refusal changes nothing
                    raise FrameError(
                        "invalid", f"seq must be a whole number from 0 to {self.sim.seq}", "seq"
                    )
                await self._pause_first()
                self.sim.seek(seq)
                self._rewire()
                await self.broadcast(self.snapshot())
            case Reset():
                await self._pause_first()
                self.sim = Simulation(self.topology)
                self.lagging = False
                self._rewire()
                await self.broadcast(self.snapshot())
            case Inject() | Fault():
                records = self._apply(frame)
                await self.broadcast(self.hops(records))
            case Subscribe():
                self._apply(frame)
                self._rewire()
                await self.broadcast(self.snapshot())  # the diagram gains an edge
            case Breakpoint():
                self._set_breakpoint(frame)
                await self.broadcast(self.breakpoints_frame())
            case Export(format=fmt):
                await viewer(await self.export(fmt))
            case Resync():
                await viewer(encode(self.snapshot()))

    def _set_breakpoint(self, frame: Breakpoint) -> None:
        key = (frame.type, frame.node)
        if not frame.on:
            self.breakpoints.pop(key, None)
            return
        if frame.node not in self.view.index:
            raise FrameError("invalid", f"no node {frame.node!r} in this run", "node")
        arriving = arrivals(self.view).get(frame.node, [])
        if frame.type not in arriving:
            what = ", ".join(arriving) or "nothing"
            raise FrameError(
                "invalid",
                f"{frame.type} never arrives at {frame.node!r}; what can arrive there: {what}",
                "type",
            )
        if key not in self.breakpoints and len(self.breakpoints) >= MAX_BREAKPOINTS:
            raise FrameError("refused", f"a run keeps at most {MAX_BREAKPOINTS} breakpoints", "on")
        self.breakpoints[key] = None

    def _rewire(self) -> None:
        """Make `view` the topology plus the subscriptions the run has made so far."""
        added = self.sim.subscriptions()
        if not added:
            self.view = self.topology
            return
        document = self.topology.to_dict()
        nodes = {node["id"]: node for node in document["nodes"]}
        for service, target in added:
            wiring = "subscribes" if nodes[target]["kind"] == "topic" else "consumes"
            nodes[service][wiring].append(target)
        self.view = load_topology(document)

    def _breakpoint_hit(self, records: list[dict[str, Any]]) -> dict[str, Any] | None:
        wanted = self.breakpoints
        for record in records:
            message = record["message"]
            if record["event"] in ARRIVING and (message["type"], record["to"]) in wanted:
                return {
                    "seq": record["seq"],
                    "type": message["type"],
                    "node": record["to"],
                    "message": message["id"],
                }
        return None

    def _apply(self, frame: Inject | Fault | Subscribe) -> list[dict[str, Any]]:
        action: dict[str, Any]
        if isinstance(frame, Subscribe):
            action = {"action": "subscribe", "node": frame.node, "to": frame.to}
        elif isinstance(frame, Inject):
            action = {
                "action": "inject",
                "from": frame.from_,
                "to": frame.to,
                "message": frame.message.model_dump(exclude_unset=True),  # pragma: no mutate
            }
        else:
            action = {"action": frame.op, "node": frame.node}
            if frame.type is not None:
                action["type"] = frame.type
        try:
            return self.sim.apply(action)
        except ActionError as error:
            if error.field == "action":  # the engine refuses only a halted run this way
                raise FrameError("refused", error.message, "action") from None
            raise FrameError("invalid", error.message, error.field) from None

    # ---- pacing -----------------------------------------------------------------------------

    async def _set_playing(self, playing: bool) -> None:
        self.playing = playing and not self.sim.finished  # the answer says `finished: true`
        # A loop that has just finished its run is still ending (its last frame, its last
        # sleep): reused, it would pace the old simulation and stop the new play. Never reuse.
        await self._restart_loop()
        await self.broadcast(self.state())

    async def _pause_first(self) -> None:
        if self.playing:
            await self._set_playing(False)

    async def _restart_loop(self) -> None:
        await self._stop_loop()
        self._start_loop()

    def _start_loop(self) -> None:
        if self.playing and self.viewers and self._loop_task is None:
            self._loop_task = asyncio.get_running_loop().create_task(self._play())

    async def _stop_loop(self) -> None:
        task, self._loop_task = self._loop_task, None
        if task is None or task is asyncio.current_task():
            return
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    async def _play(self) -> None:
        try:
            await self._pace()
        finally:
            if self._loop_task is asyncio.current_task():
                self._loop_task = None  # ended by itself (finished, or an error): may start again

    async def _pace(self) -> None:
        loop, clock = asyncio.get_running_loop(), self.clock
        sim = self.sim
        wall0, sim0 = clock(), sim.now_ms
        last_frame, tick = wall0, loop.time()
        uncapped = 0
        while self.playing:
            tick += self.frame_seconds
            now = clock()
            target = sim0 + (now - wall0) * 1000 * self.speed / TIME_SCALE
            start, steps = sim.seq, sim.steps
            sim.run(until_ms=target, max_events=MAX_STEPS_PER_FRAME)
            records = sim.trace(start + 1) if sim.seq > start else []
            hit = self._breakpoint_hit(records) if self.breakpoints else None
            if hit is not None:  # back to the end of the step that wrote it, and pause there
                sim.seek(hit["seq"])
                del records[sim.seq - start :]
                self.playing = False
            capped = sim.steps - steps >= MAX_STEPS_PER_FRAME and not sim.finished
            if capped:  # fall behind rather than pile up a debt that floods the viewers later
                wall0, sim0 = now, sim.now_ms
            uncapped = 0 if capped else uncapped + 1
            lagging = capped or (self.lagging and uncapped < CAUGHT_UP_FRAMES)
            if sim.finished:
                self.playing = False
            if records:
                await self.broadcast(self.hops(records))
                last_frame = now
            idle = now - last_frame >= IDLE_STATE_SECONDS
            if lagging != self.lagging or not self.playing or idle:
                self.lagging = lagging
                state = self.state()
                if hit is not None:
                    state["hit"] = hit
                await self.broadcast(state)
                last_frame = now
            await asyncio.sleep(max(0.0, tick - loop.time()))
            tick = max(
                tick, loop.time() - self.frame_seconds
            )  # after a stall, do not race to catch up
