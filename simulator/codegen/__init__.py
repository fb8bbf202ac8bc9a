"""Starter code for a topology: the same flow wired with real messaging libraries.

Two flavours: ``spring`` (one Java file for Spring Boot 3: RabbitMQ queues for a topology's
queues, Kafka topics for its topics) and ``python`` (one asyncio module with aio-pika and
aiokafka). Pure Python, no Django; the generated text imports nothing here. docs/codegen.md
explains the mapping.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

from simulator.engine import Topology

from . import python, spring
from .model import Model, build

Flavour = Literal["spring", "python"]
FLAVOURS: tuple[Flavour, ...] = get_args(Flavour)


@dataclass(frozen=True, slots=True)
class Generated:
    filename: str
    text: str
    media_type: str
    language: str  # a Pygments lexer name


def generate(topology: Topology, flavour: Flavour) -> Generated:
    """The starter code of one flavour for `topology`; ValueError for an unknown flavour."""
    model = build(topology)
    if flavour == "spring":
        return Generated(
            filename=f"{model.java_application}.java",
            text=spring.generate(model),
            media_type="text/x-java-source; charset=utf-8",
            language="java",
        )
    if flavour == "python":
        return Generated(
            filename=f"{model.python_module}.py",
            text=python.generate(model),
            media_type="text/x-python; charset=utf-8",
            language="python",
        )
    raise ValueError(f"flavour must be one of {', '.join(FLAVOURS)}, not {flavour!r}")


__all__ = ["FLAVOURS", "Flavour", "Generated", "Model", "build", "generate"]
