"""The built-in scenarios: one topology file per slug, beside this module."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from simulator.engine import Topology, load_topology

HERE = Path(__file__).parent
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# a learning path: the primer's flow first, then one idea at a time; others follow by name
PATH = (
    "order-flow",
    "command-vs-event",
    "request-reply",
    "competing-consumers",
    "temporal-coupling",
    "retry-dead-letter",
    "duplicates-idempotency",
    "saga-choreography",
)


class ScenarioNotFound(LookupError):
    pass


@dataclass(frozen=True, slots=True)
class Scenario:
    slug: str
    topology: Topology

    @property
    def name(self) -> str:
        return self.topology.name

    @property
    def description(self) -> str:
        return self.topology.description

    @property
    def path(self) -> Path:
        """The scenario's file, as authored."""
        return HERE / f"{self.slug}.json"


@cache
def load_scenario(slug: str) -> Scenario:
    path = HERE / f"{slug}.json"
    if not SLUG.match(slug) or not path.is_file():
        raise ScenarioNotFound(slug)
    return Scenario(slug, load_topology(json.loads(path.read_text(encoding="utf-8"))))


def list_scenarios() -> list[Scenario]:
    slugs = sorted(
        (p.stem for p in HERE.glob("*.json")),
        key=lambda s: (PATH.index(s) if s in PATH else len(PATH), s),
    )
    return [load_scenario(slug) for slug in slugs]
