"""Layout: authored positions are kept; the rest are laid out in columns, left to right."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from simulator import scenarios
from simulator.engine import SCHEMA_ID, load_topology
from simulator.engine.layout import HEIGHT, WIDTH, layout, routes

SCENARIOS = sorted(scenarios.HERE.glob("*.json"))  # the built-in ones


def without_positions(path: Path) -> dict[str, Any]:
    data = json.loads(path.read_text())
    for node in data["nodes"]:
        node.pop("position", None)
    return data


def test_authored_positions_are_kept() -> None:
    data = json.loads((SCENARIOS[0]).read_text())

    placed = layout(load_topology(data))

    assert placed == {n["id"]: n["position"] for n in data["nodes"]}


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_a_computed_layout_puts_every_node_on_the_canvas_apart_from_the_others(
    path: Path,
) -> None:
    topology = load_topology(without_positions(path))

    placed = layout(topology)

    assert set(placed) == {n.id for n in topology.nodes}
    points = {(p["x"], p["y"]) for p in placed.values()}
    assert len(points) == len(placed)
    assert all(0 < p["x"] < WIDTH and 0 < p["y"] < HEIGHT for p in placed.values())


def test_clients_are_leftmost_and_messages_flow_to_the_right() -> None:
    topology = load_topology(without_positions(scenarios.load_scenario("order-flow").path))

    placed = layout(topology)

    xs = [p["x"] for p in placed.values()]
    assert placed["gateway"]["x"] == min(xs)
    for node in topology.nodes:
        for target in routes(node):
            assert placed[topology.nodes[target].id]["x"] > placed[node.id]["x"]


def test_a_cycle_is_laid_out_without_looping_forever() -> None:
    data = {
        "schema": SCHEMA_ID,
        "name": "ping pong",
        "nodes": [
            {
                "id": "start",
                "kind": "client",
                "sends": [{"to": "ping", "message": {"type": "PingCommand", "kind": "command"}}],
            },
            {
                "id": "ping",
                "kind": "service",
                "handles": {
                    "PingCommand": {
                        "emit": [{"type": "PongCommand", "kind": "command", "to": "pong"}]
                    }
                },
            },
            {
                "id": "pong",
                "kind": "service",
                "handles": {
                    "PongCommand": {
                        "emit": [{"type": "PingCommand", "kind": "command", "to": "ping"}]
                    }
                },
            },
        ],
    }

    placed = layout(load_topology(data))

    assert placed["start"]["x"] < placed["ping"]["x"] < placed["pong"]["x"]
