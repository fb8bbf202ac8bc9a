"""The scenarios: one topology file per slug, beside this module (the built-in ones) or in a
directory named by ``MSGLAB_SCENARIO_DIRS`` (your own; a built-in slug cannot be replaced).

``parts/`` holds built-in scenarios that are part of a page (the contrast page's lanes): they
load by slug like any other, but are not listed on the home page or in the editor."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from simulator.engine import Topology, load_topology

HERE = Path(__file__).parent
PARTS = HERE / "parts"
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# a learning path: the primer's flow first, then one idea at a time; others follow by name
PATH = (
    "order-flow",
    "command-vs-event",
    "direct-and-queued-commands",
    "event-listeners",
    "request-reply",
    "competing-consumers",
    "temporal-coupling",
    "retry-dead-letter",
    "duplicates-idempotency",
    "saga-choreography",
    "saga-orchestration",
    "cqrs-read-model",
    "outbox-lost-event",
    "transactional-outbox",
)


class ScenarioNotFound(LookupError):
    pass


# searched in order; simulator.apps adds the directories named in settings
DIRECTORIES: list[Path] = [HERE]


def add_directory(directory: Path) -> None:
    if not directory.is_dir():
        raise NotADirectoryError(f"MSGLAB_SCENARIO_DIRS: {directory} is not a directory")
    if directory not in DIRECTORIES:
        DIRECTORIES.append(directory)
        load_scenario.cache_clear()


@dataclass(frozen=True, slots=True)
class Scenario:
    slug: str
    topology: Topology
    directory: Path = HERE

    @property
    def name(self) -> str:
        return self.topology.name

    @property
    def description(self) -> str:
        return self.topology.description

    @property
    def path(self) -> Path:
        """The scenario's file, as authored."""
        return self.directory / f"{self.slug}.json"


@cache
def load_scenario(slug: str) -> Scenario:
    if not SLUG.match(slug):
        raise ScenarioNotFound(slug)
    # the parts right after the built-in ones: an added directory cannot replace them either
    for directory in (
        d for each in DIRECTORIES for d in ((each, PARTS) if each == HERE else (each,))
    ):
        path = directory / f"{slug}.json"
        if path.is_file():
            data = json.loads(path.read_text(encoding="utf-8"))
            return Scenario(slug, load_topology(data), directory)
    raise ScenarioNotFound(slug)


def list_scenarios() -> list[Scenario]:
    slugs = sorted(
        {
            p.stem
            for directory in DIRECTORIES
            for p in directory.glob("*.json")
            if SLUG.match(p.stem)
        },
        key=lambda s: (PATH.index(s) if s in PATH else len(PATH), s),
    )
    return [load_scenario(slug) for slug in slugs]
