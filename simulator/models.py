from __future__ import annotations

from django.db import models
from django.utils import timezone


class SavedTopology(models.Model):
    """A topology built in the editor, named by a hash of its canonical JSON.

    The content never changes, and saving the same topology twice gives the same id and link.
    A row is a *draft* until someone saves it: drafts exist only so that the live stream can
    run what the editor sent, and are deleted a day after their last run
    (:func:`simulator.topologies.forget_old_drafts`).
    """

    id = models.CharField(primary_key=True, max_length=24, editable=False)
    canonical = models.TextField(editable=False)  # the JSON the id is a hash of
    title = models.CharField(max_length=80)
    created = models.DateTimeField(auto_now_add=True)
    saved = models.BooleanField(default=False)
    last_run = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["saved", "last_run"], name="drafts_by_age")]

    def __str__(self) -> str:
        return f"{self.title} ({self.id})"


class Room(models.Model):
    """A classroom: one run that a presenter drives and students follow (docs/protocol.md).

    A room is event-sourced: its frozen topology, plus the ordered log of the presenter's
    actions (:class:`RoomAction`), rebuild the run exactly, because the engine is
    deterministic. The presenter secret is kept only as a SHA-256 hash: it is 256 random bits,
    so a fast hash is enough, and a leaked database does not let anyone drive a class.
    """

    code = models.CharField(primary_key=True, max_length=7, editable=False)
    title = models.CharField(max_length=120)
    source = models.CharField(max_length=120)  # "scenario:order-flow", "topology:ID", "lesson:…"
    lesson = models.CharField(max_length=80, blank=True)
    topology = models.TextField(editable=False)  # canonical JSON, frozen when the room starts
    presenter_hash = models.CharField(max_length=64, editable=False)
    created = models.DateTimeField(auto_now_add=True)
    last_active = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_reason = models.CharField(max_length=120, blank=True)

    class Meta:
        indexes = [models.Index(fields=["last_active"], name="rooms_by_activity")]

    def __str__(self) -> str:
        return f"{self.title} ({self.code})"


class RoomAction(models.Model):
    """One entry of a room's log: a presenter's action, or the run's position while playing,
    with the position (engine steps and simulated ms) it was taken at."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="actions")
    number = models.PositiveIntegerField()  # 1, 2, 3…: the order; unique, so two writers clash
    frame = models.JSONField()
    steps = models.PositiveIntegerField()
    t = models.FloatField()
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["room", "number"], name="one_action_per_number")
        ]
        ordering = ["room", "number"]


class Member(models.Model):
    """A student who joined a room by its code, known by the `msglab_student` cookie."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="members")
    token = models.CharField(max_length=64)
    name = models.CharField(max_length=40, blank=True)
    joined = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["room", "token"], name="one_member_per_token")
        ]


class Vote(models.Model):
    """A student's answer to a room's poll: one per student per poll, by the database's word."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="votes")
    poll = models.PositiveIntegerField()
    voter = models.CharField(max_length=64)
    choice = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["room", "poll", "voter"], name="one_vote_per_poll")
        ]
