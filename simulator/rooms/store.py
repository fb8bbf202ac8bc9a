"""Rooms in the database: started, found, joined, logged, voted in, closed (all synchronous;
the live side calls these through ``database_sync_to_async``)."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from lessons.content import load_course
from simulator import topologies
from simulator.engine import Topology, load_topology
from simulator.live.room import Entry, LostLease, Question
from simulator.models import Member, Room, RoomAction, Vote
from simulator.scenarios import ScenarioNotFound, load_scenario

from . import codes

CLOSED_KEPT = timedelta(days=1)  # a closed or expired room's log, kept this long after


class UnknownSource(ValueError):
    """The room's ``source`` names no scenario, saved topology or lesson."""


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def idle_limit() -> timedelta:
    return timedelta(minutes=settings.MSGLAB_ROOM_IDLE_MINUTES)


def resolve(source: str) -> tuple[str, Topology, str]:
    """The title, topology and lesson slug that ``source`` names."""
    kind, _, name = source.partition(":")
    if kind == "scenario":
        try:
            scenario = load_scenario(name)
        except ScenarioNotFound:
            raise UnknownSource(f"source: no scenario called {name!r}") from None
        return scenario.topology.name, scenario.topology, ""
    if kind == "topology":
        topology = topologies.load(name, drafts=False)
        if topology is None:
            raise UnknownSource(f"source: no saved topology {name!r}")
        return topology.name, topology, ""
    if kind == "lesson":
        lesson = load_course().get(name)
        if lesson is None:
            raise UnknownSource(f"source: no lesson called {name!r}")
        return lesson.title, lesson.topology(), lesson.slug
    raise UnknownSource("source: must be scenario:<slug>, topology:<id> or lesson:<slug>")


def start(source: str) -> tuple[Room, str]:
    """A new room from ``source``, and its presenter secret (shown once, to the presenter)."""
    title, topology, lesson = resolve(source)
    forget_old()
    secret = secrets.token_urlsafe(32)
    while True:
        try:
            with transaction.atomic():
                return Room.objects.create(
                    code=codes.new_code(),
                    title=title[:120],
                    source=source[:120],
                    lesson=lesson,
                    topology=topologies.canonical(topology),
                    presenter_hash=secret_hash(secret),
                ), secret
        except IntegrityError:  # that code is taken: one chance in billions, draw again
            continue


def find(code: str) -> Room | None:
    return Room.objects.filter(code=code).first() if codes.is_code(code) else None


def gone(room: Room) -> str:
    """Why a room can no longer be joined ("" while it is open)."""
    if room.closed_at is not None:
        return room.closed_reason or "The room has closed."
    if room.last_active < timezone.now() - idle_limit():
        minutes = settings.MSGLAB_ROOM_IDLE_MINUTES
        return f"The room expired after {minutes} minutes without activity."
    return ""


def is_presenter(room: Room, secret: str | None) -> bool:
    return bool(secret) and hmac.compare_digest(room.presenter_hash, secret_hash(secret or ""))


def topology(room: Room) -> Topology:
    return load_topology(json.loads(room.topology))


def questions(room: Room) -> dict[str, Question]:
    """The lesson's prediction and quiz questions, by the ids polls name them with."""
    lesson = load_course().get(room.lesson) if room.lesson else None
    if lesson is None:
        return {}
    asked = [("prediction", lesson.meta.prediction)] + [
        (f"q{number}", question) for number, question in enumerate(lesson.meta.quiz, start=1)
    ]
    return {
        key: Question(q.question, [choice.text for choice in q.choices], q.answer)
        for key, q in asked
    }


def join(room: Room, token: str, name: str) -> None:
    Member.objects.update_or_create(room=room, token=token, defaults={"name": name})
    touch(room.code)


def member_name(room: Room, token: str | None) -> str:
    if not token:
        return ""
    member = Member.objects.filter(room=room, token=token).first()
    return member.name if member else ""


def touch(code: str) -> None:
    Room.objects.filter(code=code).update(last_active=timezone.now())


def append(code: str, number: int, entry: Entry) -> None:
    """Write log entry ``number``; :class:`LostLease` if another process wrote it first."""
    try:
        with transaction.atomic():
            RoomAction.objects.create(
                room_id=code, number=number, frame=entry.frame, steps=entry.steps, t=entry.t
            )
    except IntegrityError:
        raise LostLease(f"room {code}: log entry {number} was written by another process") from None
    touch(code)


@dataclass(frozen=True)
class Rebuild:
    """All a process reads to lead a room: one trip to the database."""

    room: Room
    topology: Topology
    questions: dict[str, Question]
    entries: list[Entry]
    votes: dict[str, int]  # the answers to the last poll the log asked


def rebuild(code: str) -> Rebuild | None:
    """What leading room ``code`` takes, or None if it is gone or cannot be joined."""
    room = find(code)
    if room is None or gone(room):
        return None
    entries = log(code)
    # poll ids count up from 1, so the last poll the log asked is the count of them
    polls = sum(entry.frame.get("action") == "poll" for entry in entries)
    return Rebuild(
        room, topology(room), questions(room), entries, votes(code, polls) if polls else {}
    )


def gone_by_code(code: str) -> str:
    """Why room ``code`` can no longer be joined ("" while it is open)."""
    room = find(code)
    return "gone" if room is None else gone(room)


def log(code: str) -> list[Entry]:
    rows = RoomAction.objects.filter(room_id=code).order_by("number")
    return [Entry(row.frame, row.steps, row.t) for row in rows]


def votes(code: str, poll: int) -> dict[str, int]:
    return dict(Vote.objects.filter(room_id=code, poll=poll).values_list("voter", "choice"))


def vote(code: str, poll: int, voter: str, choice: int) -> bool:
    """Store a vote; False if this voter has answered this poll already."""
    try:
        with transaction.atomic():
            Vote.objects.create(room_id=code, poll=poll, voter=voter, choice=choice)
    except IntegrityError:
        return False
    return True


def close(code: str, reason: str) -> None:
    Room.objects.filter(code=code, closed_at=None).update(
        closed_at=timezone.now(), closed_reason=reason[:120]
    )


def forget_old(now: Any = None) -> int:
    """Delete rooms closed or idle for a day past their limit, with their logs and votes."""
    now = now or timezone.now()
    deleted, _ = Room.objects.filter(last_active__lt=now - idle_limit() - CLOSED_KEPT).delete()
    return int(deleted)


def describe(room: Room) -> dict[str, Any]:
    return {"code": room.code, "title": room.title, "lesson": room.lesson or None}
