"""Runs to export, shared by the export tests."""

from __future__ import annotations

from typing import Any

from simulator.engine import Simulation, Topology, load_topology
from simulator.scenarios import load_scenario

Record = dict[str, Any]


def run(topology: Topology) -> list[Record]:
    """Every record of a full run, as ``Simulation.trace()`` gives them."""
    sim = Simulation(topology)
    sim.run()
    assert sim.finished
    return sim.trace()


def scenario(slug: str) -> tuple[Topology, list[Record]]:
    topology = load_scenario(slug).topology
    return topology, run(topology)


def topology(nodes: list[dict[str, Any]], name: str = "crafted", **extra: Any) -> Topology:
    return load_topology({"schema": "msglab/topology@1", "name": name, "nodes": nodes, **extra})
