"""MSGLAB_SCENARIO_DIRS: your own scenario files beside the built-in ones."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from simulator import scenarios
from simulator.scenarios import add_directory, list_scenarios, load_scenario

ORDER_FLOW = json.loads((scenarios.HERE / "order-flow.json").read_text())


@pytest.fixture
def own_dir(tmp_path: Path) -> Iterator[Path]:
    before = list(scenarios.DIRECTORIES)
    yield tmp_path
    scenarios.DIRECTORIES[:] = before
    load_scenario.cache_clear()


def write(directory: Path, slug: str, name: str) -> None:
    (directory / f"{slug}.json").write_text(json.dumps({**ORDER_FLOW, "name": name}))


def test_a_scenario_in_an_added_directory_loads_by_its_slug(own_dir: Path) -> None:
    write(own_dir, "our-checkout", "Our checkout")
    add_directory(own_dir)
    scenario = load_scenario("our-checkout")
    assert scenario.name == "Our checkout"
    assert scenario.path == own_dir / "our-checkout.json"
    assert "our-checkout" in [s.slug for s in list_scenarios()]


def test_an_added_directory_cannot_replace_a_built_in_scenario(own_dir: Path) -> None:
    write(own_dir, "order-flow", "Not the real one")
    add_directory(own_dir)
    assert load_scenario("order-flow").name == "Order flow"
    assert [s.slug for s in list_scenarios()].count("order-flow") == 1


def test_a_directory_that_does_not_exist_is_a_clear_error(own_dir: Path) -> None:
    with pytest.raises(NotADirectoryError, match="MSGLAB_SCENARIO_DIRS: .*missing"):
        add_directory(own_dir / "missing")
