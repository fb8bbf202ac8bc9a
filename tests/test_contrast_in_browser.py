"""The contrast page in a real Chromium against a real Daphne: two live lanes, their recipient
counts, and bringing the new Email Service in on each side (tests/conftest.py)."""

from __future__ import annotations

import re
from typing import Literal

import pytest
from playwright.sync_api import Locator, Page, ViewportSize, expect

from tests.browser import button, serious_violations

pytestmark = pytest.mark.browser

PROJECTOR: ViewportSize = {"width": 1366, "height": 768}
PHONE: ViewportSize = {"width": 375, "height": 740}
ORDERS_MS = 15_000  # at speed 8 an order takes under a second of wall time


def lane(page: Page, name: str) -> Locator:
    return page.get_by_role("region", name=name, exact=True)


def receivers(lane: Locator) -> Locator:
    return lane.locator('[data-contrast="receivers"]')


def who(lane: Locator) -> Locator:
    """The line that names the services the latest order reached."""
    return lane.locator('[data-contrast="who"]')


def diagram(lane: Locator) -> Locator:
    return lane.get_by_role("group", name=re.compile(r"^Diagram of"))


def clock(lane: Locator) -> Locator:
    return lane.get_by_text(re.compile(r"^Simulated time"))


def open_contrast(page: Page, *, speed: str | None = None) -> tuple[Locator, Locator]:
    page.goto("/sim/contrast/")
    expect(page.locator('[data-ws="open"]')).to_have_count(2)
    command, event = lane(page, "As a command"), lane(page, "As an event")
    if speed:
        for each in (command, event):
            each.get_by_label("Speed").fill(speed)
            expect(each.get_by_text(f"{speed}×", exact=True)).to_be_visible()
    return command, event


def test_the_event_reaches_one_more_service_once_email_subscribes_the_command_still_one(
    page: Page, live_daphne: str
) -> None:
    command, event = open_contrast(page, speed="8")
    expect(receivers(command)).to_have_text("0")

    button(page, "Play both lanes").click()

    expect(receivers(command)).to_have_text("1", timeout=ORDERS_MS)
    expect(receivers(event)).to_have_text("2", timeout=ORDERS_MS)
    expect(who(event)).to_have_text(re.compile(r"reached Inventory Service, Billing Service\."))
    note = event.get_by_text("The Order Service did not change")
    expect(note).to_be_hidden()

    button(page, "Add Email Service as a subscriber").click()

    expect(receivers(event)).to_have_text("3", timeout=ORDERS_MS)
    expect(who(event)).to_have_text(re.compile(r"reached .*Email Service \(new\)\."))
    expect(note).to_be_visible()
    expect(button(page, "Add Email Service as a subscriber")).to_be_disabled()
    expect(event.locator('[data-contrast="announce"]')).to_have_text(
        re.compile(r"^As an event: the latest order reached 3 services")
    )
    expect(receivers(command)).to_have_text("1")

    # the command lane's Email Service can only compete for the queue: one receiver each time
    button(page, "Add Email Service as a consumer of inventory.commands").click()
    expect(who(command)).to_have_text(
        re.compile(r"reached Email Service \(new\)\."), timeout=ORDERS_MS
    )
    expect(receivers(command)).to_have_text("1")
    expect(who(command)).to_have_text(re.compile(r"reached Inventory Service\."), timeout=ORDERS_MS)
    expect(receivers(command)).to_have_text("1")
    expect(receivers(event)).to_have_text("3")


def test_rewiring_the_order_service_restarts_the_command_lane_which_then_reaches_two(
    page: Page, live_daphne: str
) -> None:
    command, event = open_contrast(page, speed="8")
    button(page, "Play both lanes").click()
    expect(receivers(command)).to_have_text("1", timeout=ORDERS_MS)
    orders = command.locator('[data-contrast="orders"]')
    expect(orders).not_to_have_text(re.compile(r"^[0-2]$"), timeout=ORDERS_MS)

    button(page, "Rewire Order Service to also send Email Service a command").click()

    # a new run: the lane starts again from its first order, at the same speed, playing
    expect(command.get_by_role("status")).to_have_text("Live")
    expect(diagram(command)).to_have_accessible_name(
        "Diagram of Contrast: as a command, sender rewired"
    )
    expect(receivers(command)).to_have_text("2", timeout=ORDERS_MS)
    expect(who(command)).to_have_text(
        re.compile(r"reached Inventory Service, Email Service \(new\)\.")
    )
    expect(command.get_by_text("this lane restarted with the new Order Service")).to_be_visible()
    expect(command.get_by_text("8×", exact=True)).to_be_visible()
    expect(command.get_by_role("button", name="Pause", exact=True)).to_be_enabled()
    assert int(orders.inner_text()) < int(event.locator('[data-contrast="orders"]').inner_text())
    expect(button(page, "Add Email Service as a consumer of inventory.commands")).to_be_disabled()

    button(page, "Redeploy the original Order Service").click()
    expect(diagram(command)).to_have_accessible_name("Diagram of Contrast: as a command")
    expect(receivers(command)).to_have_text("1", timeout=ORDERS_MS)
    expect(button(page, "Add Email Service as a consumer of inventory.commands")).to_be_enabled()


def test_a_shortcut_acts_on_the_lane_that_has_the_focus_only(page: Page, live_daphne: str) -> None:
    command, event = open_contrast(page)

    command.get_by_role("button", name="Reset", exact=True).focus()
    page.keyboard.press("s")
    page.keyboard.press("s")

    expect(clock(command)).to_contain_text("record 2")
    event.get_by_role("button", name="Reset", exact=True).focus()
    page.keyboard.press("s")
    expect(clock(event)).to_contain_text("record 1")
    expect(clock(command)).to_contain_text("record 2")

    # outside both lanes a shortcut has no lane to act on
    page.get_by_role("heading", level=1).click()
    page.keyboard.press("s")
    command.get_by_role("button", name="Reset", exact=True).focus()
    page.keyboard.press("s")  # answered after the press before it, had that one been sent
    expect(clock(command)).to_contain_text("record 3")
    expect(clock(event)).to_contain_text("record 1")


@pytest.mark.parametrize("viewport", [PROJECTOR, PHONE], ids=["projector", "phone"])
def test_the_lanes_fit_the_width_side_by_side_on_a_projector_stacked_on_a_phone(
    page: Page, live_daphne: str, viewport: ViewportSize
) -> None:
    page.set_viewport_size(viewport)
    command, event = open_contrast(page)

    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    left, right = command.bounding_box(), event.bounding_box()
    assert left is not None and right is not None
    if viewport is PROJECTOR:
        assert left["y"] == right["y"] and left["x"] + left["width"] <= right["x"]
    else:
        assert left["y"] + left["height"] <= right["y"]
    for each in (command, event):
        box = diagram(each).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_page_mid_run_has_no_serious_accessibility_violations(
    page: Page, axe_url: str, scheme: Literal["light", "dark"]
) -> None:
    page.emulate_media(color_scheme=scheme)
    command, event = open_contrast(page, speed="8")
    button(page, "Play both lanes").click()
    expect(receivers(event)).to_have_text("2", timeout=ORDERS_MS)
    button(page, "Add Email Service as a subscriber").click()
    button(page, "Add Email Service as a consumer of inventory.commands").click()
    expect(event.get_by_text("The Order Service did not change")).to_be_visible()
    button(page, "Pause both lanes").click()

    assert serious_violations(page, axe_url) == []
