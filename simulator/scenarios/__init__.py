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


@cache
def load_scenario(slug: str) -> Scenario:
    path = HERE / f"{slug}.json"
    if not SLUG.match(slug) or not path.is_file():
        raise ScenarioNotFound(slug)
    return Scenario(slug, load_topology(json.loads(path.read_text(encoding="utf-8"))))


def list_scenarios() -> list[Scenario]:
    return [load_scenario(path.stem) for path in sorted(HERE.glob("*.json"))]
