"""Lesson 6's exercise: each image is resized once, the three workers share the work, and the
uploader sends what it sent before."""

from __future__ import annotations

from lessons.checking import Criterion, Run
from simulator.engine import Topology

WORKERS = {"worker-1", "worker-2", "worker-3"}


def check(topology: Topology) -> list[Criterion]:
    run = Run(topology)
    sent = run.records("hop", "ResizeImageCommand", frm="uploader")
    resized = run.records("handled", "ResizeImageCommand")
    real = [r for r in resized if not (r.get("detail") or {}).get("skipped")]
    return [
        Criterion(
            "The Photo Uploader still sends twelve ResizeImageCommand messages, as commands",
            len(sent) == 12 and all(r["message"]["kind"] == "command" for r in sent),
        ),
        Criterion(
            "The uploader sends them to a queue, not to a topic or straight to a worker",
            bool(sent) and all(run.has(r["to"], "queue") for r in sent),
        ),
        Criterion(
            "Every image is resized exactly once: twelve handlings, one for each command",
            len(real) == 12 and len({r["message"]["id"] for r in real}) == 12,
        ),
        Criterion(
            "The three Resize Workers share the work: each of them resizes at least one image, "
            "and nobody else does",
            run.handlers_of("ResizeImageCommand") == WORKERS,
        ),
    ]
