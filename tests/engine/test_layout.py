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


def node(id_: str, kind: str, **fields: Any) -> dict[str, Any]:
    return {"id": id_, "kind": kind, **fields}


def send(to: str, type_: str = "DoIt") -> dict[str, Any]:
    return {"to": to, "message": {"type": type_, "kind": "command"}}


def test_the_computed_layout_spaces_columns_and_rows_evenly_around_the_middle() -> None:
    # client -> queue -> service -> topic -> two subscribers: five columns, 150 apart from the
    # left margin; the two subscribers 120 apart around the middle row (y 300)
    emit = {"emit": [{"type": "Done", "kind": "event", "to": "news"}]}
    data = {
        "schema": SCHEMA_ID,
        "name": "golden",
        "nodes": [
            node("app", "client", sends=[send("work")]),
            node("work", "queue"),
            node("doer", "service", consumes=["work"], handles={"DoIt": emit}),
            node("news", "topic"),
            node("ear1", "service", subscribes=["news"], handles={"Done": {}}),
            node("ear2", "service", subscribes=["news"], handles={"Done": {}}),
        ],
    }

    assert layout(load_topology(data)) == {
        "app": {"x": 60, "y": 300},
        "work": {"x": 210, "y": 300},
        "doer": {"x": 360, "y": 300},
        "news": {"x": 510, "y": 300},
        "ear1": {"x": 660, "y": 240},
        "ear2": {"x": 660, "y": 360},
    }


def test_many_columns_share_the_width_and_many_rows_share_the_height() -> None:
    # fourteen columns do not fit 150 apart in 880: they are 880 / 13 apart; six clients do not
    # fit 120 apart in 440: they are 88 apart, the first at the top margin
    chain = [node(f"q{i}", "queue") for i in range(7)]
    hops = [{"type": "DoIt", "kind": "command", "to": f"q{i + 1}"} for i in range(6)]
    services = [
        node(f"s{i}", "service", consumes=[f"q{i}"], handles={"DoIt": {"emit": [hops[i]]}})
        for i in range(6)
    ]
    clients = [node(f"c{i}", "client", sends=[send("q0")]) for i in range(6)]
    data = {"schema": SCHEMA_ID, "name": "wide", "nodes": [*clients, *chain, *services]}

    placed = layout(load_topology(data))

    assert [placed[f"c{i}"]["y"] for i in range(6)] == [80, 168, 256, 344, 432, 520]
    assert {placed[f"c{i}"]["x"] for i in range(6)} == {60}
    assert placed["q0"] == {"x": pytest.approx(60 + 880 / 13), "y": 300}
    assert placed["q6"]["x"] == pytest.approx(940)  # the last of 14 columns, at the margin


def test_a_column_is_ordered_by_the_mean_row_of_what_feeds_it() -> None:
    # listed bottom-first, the queues still line up with their clients: no edge crosses another,
    # and the queue both clients feed sits between the two
    data = {
        "schema": SCHEMA_ID,
        "name": "uncrossed",
        "nodes": [
            node("top", "client", sends=[send("q_top"), send("q_both")]),
            node("bottom", "client", sends=[send("q_bottom"), send("q_both")]),
            node("q_bottom", "queue"),
            node("q_both", "queue"),
            node("q_top", "queue"),
        ],
    }

    placed = layout(load_topology(data))

    assert (placed["top"]["y"], placed["bottom"]["y"]) == (240, 360)
    assert [placed[q]["y"] for q in ("q_top", "q_both", "q_bottom")] == [180, 300, 420]
    assert {placed[q]["x"] for q in ("q_top", "q_both", "q_bottom")} == {210}


def test_nodes_nothing_feeds_start_in_the_first_column_in_the_order_listed() -> None:
    data = {
        "schema": SCHEMA_ID,
        "name": "orphans",
        "nodes": [node("b", "queue"), node("a", "topic"), node("c", "client")],
    }

    placed = layout(load_topology(data))

    assert [placed[n] for n in "bac"] == [{"x": 60, "y": y} for y in (180, 300, 420)]


def test_the_longest_path_decides_a_column_and_a_cycle_is_cut_where_the_walk_meets_it() -> None:
    again = {"type": "Retry", "kind": "command", "to": "inbox"}
    onward = {"type": "Next", "kind": "command", "to": "late"}
    data = {
        "schema": SCHEMA_ID,
        "name": "paths",
        "nodes": [
            node("user", "client", sends=[send("inbox"), send("late")]),
            node("inbox", "queue"),
            node(
                "loop",
                "service",
                consumes=["inbox"],
                handles={"DoIt": {"emit": [again, onward]}, "Retry": {}},
            ),
            node("late", "queue"),
        ],
    }

    placed = layout(load_topology(data))

    # user -> inbox -> loop -> late is longer than user -> late; loop -> inbox closes a cycle
    xs = [placed[n]["x"] for n in ("user", "inbox", "loop", "late")]
    assert xs == [60, 210, 360, 510]


PING = {"type": "Ping", "kind": "command", "to": "ping"}
PONG = {"type": "Pong", "kind": "command", "to": "pong"}


def test_a_loop_is_cut_where_the_walk_from_a_client_meets_it_however_the_nodes_are_listed() -> None:
    data = {
        "schema": SCHEMA_ID,
        "name": "client last",
        "nodes": [
            node("pong", "service", handles={"Pong": {"emit": [PING]}}),
            node("ping", "service", handles={"Ping": {"emit": [PONG]}}),
            node("start", "client", sends=[send("ping", "Ping")]),
        ],
    }

    placed = layout(load_topology(data))

    assert [placed[n]["x"] for n in ("start", "ping", "pong")] == [60, 210, 360]


def test_a_part_no_client_feeds_is_laid_out_from_its_first_listed_node() -> None:
    data = {
        "schema": SCHEMA_ID,
        "name": "two parts",
        "nodes": [
            node("app", "client", sends=[send("work")]),
            node("work", "queue"),
            node("doer", "service", consumes=["work"], handles={"DoIt": {}}),
            node("ping", "service", handles={"Ping": {"emit": [PONG]}}),
            node("pong", "service", handles={"Pong": {"emit": [PING]}}),
        ],
    }

    placed = layout(load_topology(data))

    assert [placed[n]["x"] for n in ("app", "work", "doer")] == [60, 210, 360]
    assert [placed[n]["x"] for n in ("ping", "pong")] == [60, 210]


def test_rows_are_rounded_to_a_tenth() -> None:
    # seven clients share the 440 between the margins: 73.33... apart
    data = {
        "schema": SCHEMA_ID,
        "name": "seven",
        "nodes": [node(f"c{i}", "client") for i in range(7)],
    }

    placed = layout(load_topology(data))

    assert [placed[f"c{i}"]["y"] for i in range(7)] == [80, 153.3, 226.7, 300, 373.3, 446.7, 520]
