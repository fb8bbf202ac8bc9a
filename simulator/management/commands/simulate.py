"""``manage.py simulate``: run a scenario or a topology file and print its trace."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from simulator.engine import Simulation, Topology, TopologyError, load_topology
from simulator.engine.narrate import narrate
from simulator.exports import LIMIT, export, jsonl
from simulator.scenarios import ScenarioNotFound, list_scenarios, load_scenario

BAD_INPUT = 2
CHUNK = 1000  # steps per run() call: records are printed as they come, memory stays flat


def whole_number(minimum: int) -> Any:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, got {value}")
        return value

    return parse


def milliseconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of milliseconds") from None
    if not 0 <= value < float("inf"):
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {text}")
    return value


FORMATS = {
    "jsonl": "the trace, one JSON record a line (the default)",
    "text": "the trace, one sentence a record",
    "mermaid": "a Mermaid sequence diagram of the run",
    "svg": "a standalone SVG sequence diagram of the run",
}


class Command(BaseCommand):
    help = (
        "Run a built-in scenario (by slug) or a topology JSON file and print its trace "
        "(jsonl, text) or a sequence diagram of it (mermaid, svg; docs/exports.md)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "scenario", help="a built-in scenario's slug, or a path to a topology .json file"
        )
        parser.add_argument("--seed", type=whole_number(0), help="overrides the topology's seed")
        parser.add_argument(
            "--until-ms", type=milliseconds, help="stop once the clock passes this time"
        )
        parser.add_argument("--max-events", type=whole_number(1), help="stop after this many steps")
        parser.add_argument(
            "--format",
            choices=tuple(FORMATS),
            default="jsonl",
            help="; ".join(f"{name}: {what}" for name, what in FORMATS.items())
            + f". A diagram draws the latest {LIMIT} records at most.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        topology = self.load(options["scenario"])
        for warning in topology.warnings:
            self.stderr.write(f"warning: {warning.path}: {warning.message} [{warning.code}]")
        sim = Simulation(topology, seed=options["seed"], history=False)
        fmt = options["format"]
        records = trace(sim, options["until_ms"], options["max_events"])
        try:
            if fmt in ("mermaid", "svg"):
                # a diagram needs the whole run; only the latest LIMIT records are drawn
                latest = deque(records, maxlen=LIMIT)
                name = Path(options["scenario"]).stem
                self.stdout.write(export(topology, list(latest), fmt, name).text, ending="")
            elif fmt == "text":
                for record in records:
                    self.stdout.write(f"{record['t']:>10} ms  {narrate(topology, record)}")
            else:
                for record in records:
                    self.stdout.write(jsonl.line(record))
        except BrokenPipeError:  # the reader stopped early (| head): not an error
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - silences the flush at exit

    def load(self, name: str) -> Topology:
        path = Path(name)
        if path.suffix == ".json" or path.exists():
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except FileNotFoundError:
                raise CommandError(f"{name}: no such file", returncode=BAD_INPUT) from None
            except (OSError, UnicodeDecodeError) as error:
                raise CommandError(
                    f"{name}: cannot read it ({error})", returncode=BAD_INPUT
                ) from None
            except json.JSONDecodeError as error:
                raise CommandError(
                    f"{name}: not valid JSON: {error}", returncode=BAD_INPUT
                ) from None
            try:
                return load_topology(data)
            except TopologyError as error:
                lines = "\n".join(f"  {problem}" for problem in error.problems)
                raise CommandError(
                    f"{name}: {len(error.problems)} problem(s):\n{lines}", returncode=BAD_INPUT
                ) from None
        try:
            return load_scenario(name).topology
        except ScenarioNotFound:
            known = ", ".join(s.slug for s in list_scenarios())
            raise CommandError(
                f"unknown scenario {name!r}; built-in scenarios: {known}", returncode=BAD_INPUT
            ) from None


def trace(sim: Simulation, until_ms: float | None, left: int | None) -> Iterator[dict[str, Any]]:
    """The run's records as they come, ``CHUNK`` steps at a time: memory stays flat."""
    while not sim.finished and (left is None or left > 0):
        before = sim.steps
        start = sim.seq
        sim.run(until_ms=until_ms, max_events=CHUNK if left is None else min(CHUNK, left))
        yield from sim.trace(start + 1)
        if left is not None:
            left -= sim.steps - before
        if sim.steps == before:
            break  # the clock reached --until-ms
