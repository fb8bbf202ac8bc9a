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
