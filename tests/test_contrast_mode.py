"""Contrast mode (/sim/contrast/): the same orders as a command and as an event, and who
receives each order before and after a new service is brought in.

Receivers are counted as the page counts them (static/js/contrast-page.js): the services that
any later message of an order's conversation reached; the order's own first hop (to the Order
Service, its sender) does not count."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from pytest_django.asserts import assertContains, assertTemplateUsed

from simulator import scenarios
from simulator.engine import Simulation
from simulator.scenarios import PARTS, list_scenarios, load_scenario

LANES = ("contrast-command", "contrast-event", "contrast-command-rewired")
EVERY_MS = 60  # Checkout places an order this often, in every lane


def receivers_by_order(sim: Simulation, records: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Order (its correlation id) → the services it reached, in the order they were reached;
    orders in the order they were placed."""
    services = {node.id for node in sim.topology.nodes if node.kind == "service"}
    orders: dict[str, list[str]] = {}
    for record in records:
        message = record["message"]
        if record["event"] != "hop":
            continue
        reached = orders.setdefault(message["correlation_id"], [])
        to = record["to"]
        if message["causation_id"] is not None and to in services and to not in reached:
            reached.append(to)
    return orders


def settled(sim: Simulation, records: list[dict[str, Any]]) -> list[list[str]]:
    """The receivers of each order that has had time to reach everyone (placed 60 ms ago)."""
    orders = receivers_by_order(sim, records)
    placed = {
        r["message"]["correlation_id"]: r["t"]
        for r in records
        if r["event"] == "hop" and r["message"]["causation_id"] is None
    }
    return [orders[o] for o, t in placed.items() if t + EVERY_MS <= sim.now_ms]


def run(slug: str, until_ms: float) -> Simulation:
    sim = Simulation(load_scenario(slug).topology)
    sim.run(until_ms=until_ms)
    return sim


# ---- the lanes' topologies ---------------------------------------------------------------------


def test_the_lanes_load_by_slug_but_the_home_page_and_the_editor_do_not_list_them() -> None:
    listed = {scenario.slug for scenario in list_scenarios()}
    for slug in LANES:
        scenario = load_scenario(slug)
        assert scenario.path == PARTS / f"{slug}.json"
        assert slug not in listed


def test_a_directory_of_your_own_cannot_replace_a_lane(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    document = {**json.loads((PARTS / "contrast-event.json").read_text()), "name": "Not it"}
    (tmp_path / "contrast-event.json").write_text(json.dumps(document))
    monkeypatch.setattr(scenarios, "DIRECTORIES", [*scenarios.DIRECTORIES, tmp_path])
    load_scenario.cache_clear()
    try:
        assert load_scenario("contrast-event").name == "Contrast: as an event"
    finally:
        load_scenario.cache_clear()


def test_the_lanes_run_without_lint_warnings() -> None:
    for slug in LANES:
        assert load_scenario(slug).topology.warnings == (), slug


def test_every_lane_places_the_same_orders_at_the_same_times() -> None:
    def checkout(slug: str) -> dict[str, Any]:
        nodes: list[dict[str, Any]] = load_scenario(slug).topology.to_dict()["nodes"]
        return next(node for node in nodes if node["id"] == "checkout")

    first, *others = (checkout(slug) for slug in LANES)
    assert others == [first, first]
    assert first["sends"][0]["every_ms"] == EVERY_MS
    assert first["sends"][0]["count"] >= 300  # the run keeps going through a lecture


def test_each_lane_has_a_new_email_service_that_nothing_reaches_at_the_start() -> None:
    for slug in ("contrast-command", "contrast-event"):
        topology = load_scenario(slug).topology
        email = topology.node("email")
        assert "(new)" in email.label
        wired = [n.id for n in topology.nodes if email.index in n.consumers + n.subscribers]
        assert wired == [], slug
        sim = run(slug, until_ms=1000)
        assert "email" not in {r["to"] for r in sim.trace()}, slug


# ---- who receives each order -------------------------------------------------------------------


def test_as_a_command_each_order_reaches_exactly_one_service_the_inventory() -> None:
    sim = run("contrast-command", until_ms=300)
    orders = settled(sim, sim.trace())
    assert len(orders) >= 4
    assert orders == [["inventory"]] * len(orders)


def test_as_an_event_each_order_reaches_both_subscribers() -> None:
    sim = run("contrast-event", until_ms=300)
    orders = settled(sim, sim.trace())
    assert len(orders) >= 4
    assert [sorted(o) for o in orders] == [["billing", "inventory"]] * len(orders)


def test_subscribing_email_to_the_topic_mid_run_makes_the_next_orders_reach_three() -> None:
    sim = run("contrast-event", until_ms=175)  # three orders placed and handled
    before = sim.trace()
    latest = list(receivers_by_order(sim, before).values())[-1]
    assert sorted(latest) == ["billing", "inventory"]

    assert sim.apply({"action": "subscribe", "node": "email", "to": "orders.events"}) == []
    sim.run(until_ms=480)

    records = sim.trace()
    assert records[: len(before)] == before  # what happened before the subscribe is unchanged
    orders = settled(sim, records)
    assert [len(o) for o in orders[:3]] == [2, 2, 2]
    assert len(orders) >= 7
    assert [sorted(o) for o in orders[3:]] == [["billing", "email", "inventory"]] * (
        len(orders) - 3
    )
    # the publisher did not change: one OrderPlacedEvent per order, before and after
    published = Counter(
        r["message"]["correlation_id"]
        for r in records
        if r["event"] == "hop" and r["to"] == "orders.events"
    )
    assert set(published.values()) == {1}


def test_email_consuming_the_command_queue_competes_so_each_command_still_reaches_one() -> None:
    sim = run("contrast-command", until_ms=175)
    sim.apply({"action": "subscribe", "node": "email", "to": "inventory.commands"})
    sim.run(until_ms=800)

    after = settled(sim, sim.trace())[3:]
    assert len(after) >= 8
    assert all(len(receivers) == 1 for receivers in after)
    takers = [receivers[0] for receivers in after]
    assert set(takers) == {"email", "inventory"}
    # the queue hands the commands out in turn: no service takes two in a row
    assert all(a != b for a, b in zip(takers, takers[1:], strict=False))


def test_the_rewired_order_service_reaches_inventory_and_email_with_one_command_each() -> None:
    sim = run("contrast-command-rewired", until_ms=300)
    orders = settled(sim, sim.trace())
    assert len(orders) >= 4
    assert [sorted(o) for o in orders] == [["email", "inventory"]] * len(orders)
    commands = [
        r["message"]["type"]
        for r in sim.trace()
        if r["event"] == "hop" and r["from"] == "orders" and r["message"]["kind"] == "command"
    ]
    assert Counter(commands) == {
        "ReserveStockCommand": len(commands) // 2,
        "SendConfirmationEmailCommand": len(commands) // 2,
    }


def test_rewiring_is_a_change_to_the_order_service_alone() -> None:
    def without(slug: str, node_ids: set[str]) -> list[dict[str, Any]]:
        nodes = load_scenario(slug).topology.to_dict()["nodes"]
        return [n for n in nodes if n["id"] not in node_ids]

    changed = {"orders", "email", "email.commands"}
    assert without("contrast-command", changed) == without("contrast-command-rewired", changed)
    rewired = load_scenario("contrast-command-rewired").topology
    assert [e.type for e in rewired.node("orders").handlers["PlaceOrderCommand"].emits] == [
        "ReserveStockCommand",
        "SendConfirmationEmailCommand",
    ]


# ---- the page ----------------------------------------------------------------------------------


def test_the_contrast_page_shows_two_lanes_each_a_live_run_of_its_scenario(client: Client) -> None:
    response = client.get("/sim/contrast/")

    assert response.status_code == 200
    assertTemplateUsed(response, "simulator/contrast.html")  # not the scenario page of "contrast"
    assertContains(response, 'data-ws-url="/ws/sim/?scenario=contrast-command"', count=1)
    assertContains(response, 'data-ws-url="/ws/sim/?scenario=contrast-event"', count=1)
    assertContains(response, 'data-rewired-url="/ws/sim/?scenario=contrast-command-rewired"')
    assertContains(response, '<script type="module" src="/static/js/contrast-page.js"></script>')


def test_the_contrast_page_names_its_buttons_by_what_they_do(client: Client) -> None:
    html = client.get("/sim/contrast/").content.decode()

    buttons = re.findall(r"<button[^>]*>([^<]+)</button>", html)
    for name in (
        "Play both lanes",
        "Pause both lanes",
        "Add Email Service as a subscriber",
        "Add Email Service as a consumer of inventory.commands",
        "Rewire Order Service to also send Email Service a command",
    ):
        assert buttons.count(name) == 1, name


def test_the_contrast_page_gives_every_element_id_once(client: Client) -> None:
    html = client.get("/sim/contrast/").content.decode()

    ids = Counter(re.findall(r'\sid="([^"]+)"', html))
    assert ids and [i for i, n in ids.items() if n > 1] == []
    for target in re.findall(r'\s(?:for|aria-labelledby)="([^"]+)"', html):
        assert target in ids, target


def test_the_contrast_page_announces_counts_politely_and_loads_nothing_from_elsewhere(
    client: Client,
) -> None:
    html = client.get("/sim/contrast/").content.decode()

    assert len(re.findall(r'aria-live="polite" data-contrast="announce"', html)) == 2
    urls = re.findall(r"""\b(?:src|href|data-[a-z-]*url)=["']([^"']*)["']""", html)
    assert urls and all(url.startswith(("/", "#")) for url in urls), urls
    assert " style=" not in html and "<script>" not in html


@pytest.mark.django_db  # a lesson page reads the learner's progress
@pytest.mark.parametrize("path", ["/", "/lessons/command-vs-event/"])
def test_the_home_page_and_the_command_vs_event_lesson_link_the_contrast_page(
    client: Client, path: str
) -> None:
    assertContains(client.get(path), 'href="/sim/contrast/"', count=1)


def test_the_contrast_page_refuses_a_post(client: Client) -> None:
    assert client.post("/sim/contrast/").status_code == 405
