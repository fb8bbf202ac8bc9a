"""A room's run: one live run that a presenter drives and a class watches, kept as a log.

The room adds to a :class:`LiveRun` what a classroom needs: who may do what, a spotlight,
polls, and a log of every action with the run's position when it was taken. The log is the
room: replayed into a fresh run, it gives the same run again, because the engine is
deterministic. Frames go out through one ``publish`` coroutine, with the audience they are
for; the process that leads the room hands them to every process that has viewers.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from simulator.engine import Simulation, Topology

from .protocol import (
    ClientFrame,
    Dismiss,
    FrameError,
    Poll,
    Reveal,
    RoomFrame,
    Spotlight,
    Vote,
    parse_room_frame,
)
from .run import Clock, LiveRun, encode

Audience = Literal["all", "presenter", "students"]
Publish = Callable[[str, Audience], Awaitable[None]]
# A room's frames go to a whole class: each costs every student's connection its share of the
# server's CPU. 20 a second is smooth enough to watch and fits 600 students on two cores
# (bench/classroom.py); a record waits at most 50 ms longer than in a single run.
ROOM_FRAME_SECONDS = 1 / 20
COUNTS_EVERY_SECONDS = 0.1  # the presenter's chart moves at most ten times a second
KINDS = {"command": 0, "event": 1}
KIND_CHOICES = ["A command", "An event"]
PROGRESS = {"action": "progress"}  # a log entry that only says where a playing run got to


@dataclass(frozen=True)
class Entry:
    """One line of a room's log: a frame as the presenter sent it (checked), or
    ``{"action": "progress"}`` while playing, with the run's position before it applied."""

    frame: dict[str, Any]
    steps: int
    t: float


@dataclass(frozen=True)
class Question:
    text: str
    choices: list[str]
    answer: int


class LostLease(Exception):
    """Another process wrote the room's log: this one no longer leads the room."""


def stamp(text: str) -> str:
    """A frame with the server's wall clock (Unix ms) added: when it left the run."""
    return f'{text[:-1]},"at":{time.time() * 1000:.1f}}}'


class RoomRun:
    def __init__(
        self,
        code: str,
        topology: Topology,
        publish: Publish,
        log: Callable[[Entry], Awaitable[None]],
        vote: Callable[[int, str, int], Awaitable[bool]],
        questions: Mapping[str, Question] | None = None,
        clock: Clock = time.monotonic,
    ) -> None:
        self.code = code
        self.live = LiveRun(code, f"room/{code}", topology, clock)
        self.live.frame_seconds = ROOM_FRAME_SECONDS
        self._publishing: asyncio.Future[None] | None = None  # the newest frame on its way
        self._publish = publish
        self._log = log
        self._store_vote = vote
        self.questions = dict(questions or {})
        self.spotlight: dict[str, str] | None = None
        self.poll: dict[str, Any] | None = None  # id, question, choices, answer, state
        self.votes: dict[str, int] = {}  # voter -> choice, in the current poll
        self.polls = 0  # how many polls the room has had: the next one's id is one more
        self.logged = (0, 0.0)  # the position of the newest log entry
        self.info: dict[str, Any] = {"code": code}  # what snapshots say of the room
        self.students = 0  # how many students watch, on every process
        self._held: list[tuple[str, Audience]] | None = None
        self._counts_task: asyncio.Task[None] | None = None

    @property
    def sim(self) -> Simulation:
        return self.live.sim

    # ---- the log ------------------------------------------------------------------------

    async def replay(self, entries: list[Entry], votes: Mapping[str, int]) -> None:
        """Rebuild the room from its log before anyone watches: nothing is published.
        ``votes`` are the answers to the poll the log leaves open, from where they are kept."""
        for entry in entries:
            self._catch_up(entry)
            if entry.frame != PROGRESS:
                # a log an older version wrote may hold an action this one refuses: the room
                # goes on without it rather than not at all
                with contextlib.suppress(FrameError):
                    await self._carry_out(parse_room_frame(json.dumps(entry.frame)))
            self.logged = (entry.steps, entry.t)
        self.votes = dict(votes)

    def _catch_up(self, entry: Entry) -> None:
        # Between two entries only play moved the run: whole steps, and the clock up to where
        # the next entry found it. run() stops at either, so it repeats exactly that.
        sim = self.sim
        sim.run(until_ms=entry.t, max_events=max(0, entry.steps - sim.steps))

    async def start(self) -> None:
        """Begin publishing: everyone gets a snapshot, and a playing run plays on."""
        await self.live.attach(self._out)

    async def stop(self) -> None:
        if self._counts_task is not None:
            self._counts_task.cancel()
        await self.live.close()

    async def checkpoint(self) -> None:
        """Log where a playing run is, so that a rebuild loses at most this much play."""
        position = (self.sim.steps, float(self.sim.now_ms))
        if self.live.playing and position != self.logged:
            await self._write(PROGRESS, position)

    async def _write(self, frame: dict[str, Any], position: tuple[int, float]) -> None:
        await self._log(Entry(frame, *position))
        self.logged = position

    # ---- frames out ---------------------------------------------------------------------

    async def _out(self, text: str) -> None:
        if text.startswith('{"type":"snapshot"'):  # after back, seek, reset: one per role
            presenter, students = self._snapshot_texts(
                self.live.snapshot(), ["presenter", "student"]
            )
            await self._send(presenter, "presenter", stamped=True)
            await self._send(students, "students", stamped=True)
        else:
            await self._send(text, "all")

    async def _send(self, text: str, audience: Audience, *, stamped: bool = False) -> None:
        if self._held is not None:
            self._held.append((text if stamped else stamp(text), audience))
        else:
            await self._in_order(text if stamped else stamp(text), audience)

    async def _in_order(self, text: str, audience: Audience) -> None:
        # Pausing cancels the play loop, perhaps while it publishes (to Redis, say): the
        # frame must still go, and before any later one. So each frame goes out in a task of
        # its own, after the one before it, and the caller waits without being able to stop it.
        before = self._publishing

        async def publish() -> None:
            if before is not None:
                with contextlib.suppress(Exception):
                    await before
            await self._publish(text, audience)

        self._publishing = task = asyncio.ensure_future(publish())
        await asyncio.shield(task)

    async def published(self) -> None:
        """Wait until every frame published so far has gone (before a reply overtakes them)."""
        if self._publishing is not None:
            with contextlib.suppress(Exception):
                await asyncio.shield(self._publishing)

    def snapshot(self, role: str, voter: str | None = None) -> str:
        """A snapshot for one viewer: the run, and the room as that viewer sees it."""
        return self._snapshot_texts(self.live.snapshot(), [role], voter)[0]

    def _snapshot_texts(
        self, frame: dict[str, Any], roles: list[str], voter: str | None = None
    ) -> list[str]:
        # `room` first: a process that relays the students' text fills in each student's own
        # answer at the first "mine", which is then always this one
        texts = []
        for role in roles:
            room = {
                **self.info,
                "role": role,
                "students": self.students,
                "spotlight": self.spotlight,
                "poll": self._poll_view(role == "presenter", voter),
                "closed": False,
            }
            texts.append(stamp(encode({"type": "snapshot", "room": room, **frame})))
        return texts

    def _poll_view(self, presenter: bool, voter: str | None) -> dict[str, Any] | None:
        poll = self.poll
        if poll is None:
            return None
        shown = presenter or poll["state"] == "revealed"
        counts = [0] * len(poll["choices"])
        for choice in self.votes.values():
            counts[choice] += 1
        return {
            "id": poll["id"],
            "question": poll["question"],
            "choices": poll["choices"],
            "state": poll["state"],
            "votes": len(self.votes) if shown else None,
            "counts": counts if shown else None,
            "answer": poll["answer"] if shown else None,
            "mine": self.votes.get(voter) if voter else None,
        }

    async def _send_poll(self) -> None:
        for audience, presenter in (("presenter", True), ("students", False)):
            frame = {"type": "poll", "seq": self.sim.seq, "poll": self._poll_view(presenter, None)}
            await self._send(encode(frame), audience)  # type: ignore[arg-type]

    # ---- frames in ----------------------------------------------------------------------

    async def act(self, frame: RoomFrame, voter: str | None, reply: Publish) -> None:
        """Carry out a checked frame that the viewer's role allows; log it, then publish.

        A refused frame raises :class:`FrameError` and changes nothing. Frames the action
        sends are held until its log entry is written: what the class saw is in the log.
        """
        if isinstance(frame, Vote):
            await self._vote(frame, voter, reply)
            return
        position = (self.sim.steps, float(self.sim.now_ms))
        self._held = []
        try:
            await self._carry_out(frame)
            # the request, not the poll it made: replayed at the same position, it makes the
            # same poll again (the same question, or the same message's kind)
            await self._write(frame.model_dump(by_alias=True, exclude_none=True), position)
        except BaseException:
            self._held = None
            raise
        held, self._held = self._held, None
        for text, audience in held:
            await self._in_order(text, audience)

    async def _carry_out(self, frame: RoomFrame) -> None:
        match frame:
            case Spotlight():
                self.spotlight = self._target(frame)
                spot = {"type": "spotlight", "seq": self.sim.seq, "target": self.spotlight}
                await self._send(encode(spot), "all")
            case Poll():
                self.poll = self._ask(frame)
                self.votes = {}
                await self._send_poll()
            case Reveal() | Dismiss():
                if self.poll is None or self.poll["state"] == "dismissed":
                    raise FrameError("refused", "no poll is open", "action")
                self.poll["state"] = "revealed" if isinstance(frame, Reveal) else "dismissed"
                await self._send_poll()
                if self.poll["state"] == "dismissed":
                    self.poll = None
            case _:
                await self.live.handle(frame, self._out)  # type: ignore[arg-type]

    def _target(self, frame: Spotlight) -> dict[str, str] | None:
        if frame.node is not None:
            if frame.node not in self.live.topology.index:
                raise FrameError("invalid", f"no node {frame.node!r} in this room", "node")
            return {"node": frame.node}
        if frame.message is not None:
            self._message(frame.message)
            return {"message": frame.message}
        return None

    def _message(self, message_id: str) -> dict[str, Any]:
        for record in reversed(self.sim.trace()):
            message = record.get("message")
            if message and message.get("id") == message_id:
                return dict(message)
        raise FrameError("invalid", f"no message {message_id!r} in the run so far", "message")

    def _ask(self, frame: Poll) -> dict[str, Any]:
        if frame.question is not None:
            question = self.questions.get(frame.question)
            if question is None:
                known = ", ".join(self.questions) or "none: the room was not started from a lesson"
                raise FrameError(
                    "invalid", f"no such question; this room's are {known}", "question"
                )
            text, choices, answer = question.text, question.choices, question.answer
        else:
            assert frame.message is not None
            message = self._message(frame.message)
            kind = message.get("kind")
            if kind not in KINDS:
                raise FrameError(
                    "invalid",
                    f"{frame.message} is a {kind}: ask about a command or an event",
                    "message",
                )
            text = f"Is {message['type']} ({frame.message}) a command or an event?"
            choices, answer = KIND_CHOICES, KINDS[kind]
        self.polls += 1
        return {
            "id": self.polls,
            "question": text,
            "choices": list(choices),
            "answer": answer,
            "state": "open",
        }

    async def _vote(self, frame: Vote, voter: str | None, reply: Publish) -> None:
        poll = self.poll
        if voter is None:
            raise FrameError("forbidden", "the presenter does not vote", "action")
        if poll is None or poll["id"] != frame.poll or poll["state"] != "open":
            raise FrameError("refused", "that poll is not open for answers", "poll")
        if not 0 <= frame.choice < len(poll["choices"]):
            last = len(poll["choices"]) - 1
            raise FrameError("invalid", f"choice must be a whole number from 0 to {last}", "choice")
        if voter in self.votes or not await self._store_vote(poll["id"], voter, frame.choice):
            raise FrameError("refused", "you have answered this poll", "poll")
        self.votes[voter] = frame.choice
        mine = {"type": "poll", "seq": self.sim.seq, "poll": self._poll_view(False, voter)}
        await self.published()
        await reply(stamp(encode(mine)), "students")
        if self._counts_task is None:
            self._counts_task = asyncio.get_running_loop().create_task(self._counts_later())

    async def _counts_later(self) -> None:
        try:
            await asyncio.sleep(COUNTS_EVERY_SECONDS)
        finally:
            self._counts_task = None
        if self.poll is not None:
            frame = {"type": "poll", "seq": self.sim.seq, "poll": self._poll_view(True, None)}
            await self._send(encode(frame), "presenter")


def presenter_only(frame: RoomFrame) -> bool:
    return not isinstance(frame, Vote) and frame.action not in ("resync", "ack", "export")


__all__ = ["ClientFrame", "Entry", "LostLease", "Question", "RoomRun", "presenter_only"]
