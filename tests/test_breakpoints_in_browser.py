"""Breakpoints in a real Chromium on Daphne: set from the inspector, shown on the diagram as a
stop sign, honoured by Play (it pauses exactly at the record), and seen by a room's students."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Literal

import pytest
from playwright.sync_api import BrowserContext, Locator, Page, expect

from simulator.engine import Simulation
from simulator.scenarios import load_scenario
from tests.browser import button, log_entries, open_sim, serious_violations

pytestmark = pytest.mark.browser

TICK = "Pause when OrderCreatedEvent arrives here"
MARKER = "Breakpoint: pauses when OrderCreatedEvent arrives at Inventory Service"
REMOVE = "Remove breakpoint: OrderCreatedEvent at Inventory Service"
RECEIVED = "Inventory Service received OrderCreatedEvent"


def first_arrival(scenario: str, message_type: str, node: str) -> int:
    """The seq of the first hop of ``message_type`` to ``node``, stepping the engine itself."""
    sim = Simulation(load_scenario(scenario).topology)
    while not sim.finished:
        for record in sim.step():
            where = (record["event"], record["to"], record["message"]["type"])
            if where == ("hop", node, message_type):
                return int(record["seq"])
    raise AssertionError(f"{message_type} never arrives at {node} in {scenario}")


def records_in_run(scenario: str) -> int:
    sim = Simulation(load_scenario(scenario).topology)
    sim.run()
    return sim.seq


def diagram(page: Page) -> Locator:
    return page.locator('[data-sim="diagram"]')


def node(page: Page, label: str) -> Locator:
    return diagram(page).get_by_role("button", name=re.compile(rf"^{re.escape(label)},"))


def inspector(page: Page) -> Locator:
    return page.get_by_role("region", name="Inspector")


def marker(page: Page) -> Locator:
    return diagram(page).get_by_role("img", name=re.compile(rf"^{re.escape(MARKER)}"))


def status(page: Page) -> Locator:
    return page.locator('[data-sim="status"]')


def step_until_logged(page: Page, text: str, limit: int = 30) -> None:
    for _ in range(limit):
        if log_entries(page).filter(has_text=text).count():
            return
        before = log_entries(page).count()
        button(page, "Step").click()
        expect(log_entries(page)).not_to_have_count(before)
    raise AssertionError(f"{text!r} never appeared in the log")


def test_play_pauses_exactly_where_order_created_event_arrives_at_inventory_and_goes_on_after(
    page: Page, live_daphne: str
) -> None:
    expected = first_arrival("order-flow", "OrderCreatedEvent", "inventory")
    open_sim(page)
    node(page, "Inventory Service").click()

    inspector(page).get_by_role("checkbox", name=TICK).check()

    expect(marker(page)).to_have_count(1)
    expect(diagram(page)).to_have_attribute("data-breakpoints", "inventory")
    expect(node(page, "Inventory Service")).to_have_accessible_name(
        re.compile("breakpoint: pauses when OrderCreatedEvent arrives")
    )
    expect(inspector(page).get_by_role("button", name=REMOVE)).to_be_visible()
    page.get_by_label("Speed").fill("8")
    button(page, "Play").click()

    expect(status(page)).to_have_text(
        f"Paused at a breakpoint: OrderCreatedEvent arrived at Inventory Service "
        f"(record {expected})",
        timeout=20_000,
    )
    expect(button(page, "Play")).to_have_attribute("aria-pressed", "false")
    expect(log_entries(page)).to_have_count(expected)
    last = log_entries(page).last
    expect(last).to_have_attribute("data-event", "hop")
    expect(last).to_have_attribute("data-nodes", "order.events inventory")
    expect(last).to_contain_text(RECEIVED)
    expect(page.locator('[data-sim="clock"]')).to_contain_text(f"record {expected}")
    # the message that arrived is selected, and the stop sign says the run paused there
    expect(inspector(page).locator("dl").first).to_contain_text(re.compile(r"Message id\s*m2"))
    expect(marker(page)).to_have_accessible_name(re.compile("paused here$"))
    expect(last).to_have_class(re.compile("is-selected"))

    button(page, "Play").click()

    finished = re.compile(r"Simulated time .* · finished")
    expect(page.get_by_text(finished)).to_be_visible(timeout=20_000)
    expect(log_entries(page)).to_have_count(records_in_run("order-flow"))
    expect(status(page)).to_have_text("Live")
    expect(marker(page)).not_to_have_accessible_name(re.compile("paused here"))


def test_a_selected_message_sets_a_breakpoint_where_it_arrived_and_the_list_removes_it(
    page: Page, live_daphne: str
) -> None:
    open_sim(page)
    step_until_logged(page, RECEIVED)
    log_entries(page).filter(has_text=RECEIVED).get_by_role("button").click()
    pause = inspector(page).get_by_role(
        "button", name="Pause when OrderCreatedEvent arrives at Inventory Service"
    )

    pause.focus()
    page.keyboard.press("Enter")

    expect(marker(page)).to_have_count(1)
    remove = inspector(page).get_by_role("button", name=REMOVE)
    expect(remove).to_be_focused()  # the keyboard stays with the breakpoint it just set
    expect(inspector(page)).to_contain_text(
        "Play pauses when OrderCreatedEvent arrives at Inventory Service."
    )
    expect(inspector(page).get_by_role("list", name="Breakpoints in this run")).to_be_visible()
    page.keyboard.press("Enter")

    expect(marker(page)).to_have_count(0)
    expect(diagram(page)).not_to_have_attribute("data-breakpoints", re.compile("."))
    expect(inspector(page).get_by_role("list", name="Breakpoints in this run")).to_be_hidden()
    expect(pause).to_be_focused()
    expect(node(page, "Inventory Service")).not_to_have_accessible_name(re.compile("breakpoint"))


def test_a_node_offers_the_types_that_arrive_there_and_a_space_unticks_one(
    page: Page, live_daphne: str
) -> None:
    open_sim(page)
    node(page, "Notification Service").click()
    boxes = inspector(page).get_by_role("checkbox")
    expect(boxes).to_have_count(2)
    expect(boxes.nth(0)).to_have_accessible_name(re.compile(r"^Pause when \w+Event arrives here$"))
    tick = inspector(page).get_by_role(
        "checkbox", name="Pause when InvoiceCreatedEvent arrives here"
    )

    tick.focus()
    page.keyboard.press("Space")
    expect(diagram(page)).to_have_attribute("data-breakpoints", "notification")
    expect(tick).to_be_checked()
    expect(tick).to_be_focused()  # redrawn by the server's answer, and still where it was
    page.keyboard.press("Space")

    expect(diagram(page)).not_to_have_attribute("data-breakpoints", re.compile("."))
    expect(tick).not_to_be_checked()
    # a client sends, nothing arrives there: no breakpoint to offer
    node(page, "API Gateway").click()
    expect(inspector(page).get_by_role("checkbox")).to_have_count(0)
    expect(inspector(page)).to_contain_text("No message arrives here")


def test_a_student_sees_the_presenters_breakpoint_and_where_it_paused_but_cannot_change_it(
    page: Page, new_context: Callable[..., BrowserContext], live_daphne: str
) -> None:
    student = new_context().new_page()
    page.goto("/sim/order-flow/")
    button(page, "Present to a class").click()
    page.wait_for_url(re.compile(r"/rooms/[A-Z]{7}/present/$"))
    page.wait_for_selector('[data-ws="open"]')
    code = page.locator("[data-room-code]").get_attribute("data-room-code")
    student.goto("/join/")
    student.get_by_label("Room code").fill(code or "")
    student.get_by_label("Room code").press("Enter")
    student.wait_for_selector('[data-ws="open"]')

    node(page, "Inventory Service").click()
    inspector(page).get_by_role("checkbox", name=TICK).check()

    expect(marker(student)).to_have_count(1)
    node(student, "Inventory Service").click()
    expect(inspector(student)).to_contain_text("Play pauses when OrderCreatedEvent arrives here.")
    expect(inspector(student)).to_contain_text(
        "Pauses when OrderCreatedEvent arrives at Inventory Service"
    )
    expect(inspector(student).get_by_role("checkbox")).to_have_count(0)
    expect(inspector(student).get_by_role("button", name=REMOVE)).to_have_count(0)
    page.get_by_label("Speed").fill("8")
    button(page, "Play").click()

    paused = re.compile(r"^Paused at a breakpoint: OrderCreatedEvent arrived at Inventory Service")
    expect(status(page)).to_have_text(paused, timeout=20_000)
    expect(status(student)).to_have_text(paused)
    expect(marker(student)).to_have_accessible_name(re.compile("paused here$"))


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_a_run_paused_at_a_breakpoint_with_its_controls_shown_has_no_serious_axe_violations(
    page: Page, axe_url: str, scheme: Literal["light", "dark"]
) -> None:
    page.emulate_media(color_scheme=scheme)
    open_sim(page)
    node(page, "Inventory Service").click()
    inspector(page).get_by_role("checkbox", name=TICK).check()
    page.get_by_label("Speed").fill("8")
    button(page, "Play").click()
    expect(status(page)).to_contain_text("Paused at a breakpoint", timeout=20_000)
    node(page, "Inventory Service").click()  # the checkboxes and the list of breakpoints

    assert serious_violations(page, axe_url) == []
