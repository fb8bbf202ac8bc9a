"""The engine's errors read as "where: what is wrong", or just the rule when nothing in
particular is at fault."""

from __future__ import annotations

from simulator.engine import ActionError, Problem, TopologyError


def test_an_action_error_names_its_field_before_the_rule_unless_it_has_none() -> None:
    assert str(ActionError("node", "must be a node id")) == "node: must be a node id"
    assert str(ActionError("", "not now")) == "not now"


def test_a_topology_error_lists_every_problem_on_its_own_line() -> None:
    error = TopologyError([Problem("", "a topology must be a JSON object"), Problem("x", "bad")])

    assert str(error) == "a topology must be a JSON object\nx: bad"
