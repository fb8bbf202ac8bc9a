"""The animated diagram, the inspector and the fault controls, in a real Chromium on Daphne."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser import animation_frames, button, log_entries, open_sim

pytestmark = pytest.mark.browser

PUBLISHED = "Order Service published OrderCreatedEvent"


def diagram(page: Page) -> Locator:
    return page.get_by_role("group", name="Diagram of Order flow")


def tokens(page: Page, name: str) -> Locator:
    return diagram(page).get_by_role("button", name=re.compile(rf"^{re.escape(name)}\b"))


def node(page: Page, label: str) -> Locator:
    return diagram(page).get_by_role("button", name=re.compile(rf"^{re.escape(label)},"))


def step_until_logged(page: Page, text: str, limit: int = 30) -> None:
    for _ in range(limit):
        if log_entries(page).filter(has_text=text).count():
            return
        before = log_entries(page).count()
        button(page, "Step").click()
        expect(log_entries(page)).not_to_have_count(before)
    raise AssertionError(f"{text!r} never appeared in the log")


def transforms(locator: Locator) -> list[str]:
    return locator.evaluate_all("els => els.map(el => el.getAttribute('transform'))")


def test_the_published_event_leaves_the_topic_as_three_tokens_and_three_deliveries(
    page: Page, live_daphne: str
) -> None:
    open_sim(page)

    step_until_logged(page, PUBLISHED)

    copies = tokens(page, "OrderCreatedEvent m2")
    expect(copies).to_have_count(3)
    assert sorted(copies.evaluate_all("els => els.map(el => el.dataset.to)")) == [
        "billing",
        "inventory",
        "notification",
    ]
    at_the_topic = transforms(copies)
    button(page, "Step").click()
    # all three glide towards their subscribers while the clock moves to their arrival
    page.wait_for_function(
        """([selector, before]) => {
          const now = [...document.querySelectorAll(selector)]
            .map(el => el.getAttribute('transform'));
          return now.length >= 2 && now.every((t, i) => t !== before[i]);
        }""",
        arg=['.sim-diagram .token[data-message="m2"]', at_the_topic],
    )
    step_until_logged(page, "Billing Service received OrderCreatedEvent")
    step_until_logged(page, "Notification Service received OrderCreatedEvent")
    received = log_entries(page).filter(has_text=re.compile("received OrderCreatedEvent"))
    expect(received).to_have_count(3)


def test_step_back_brings_back_the_log_entry_and_the_token_of_the_last_step(
    page: Page, live_daphne: str
) -> None:
    open_sim(page)
    step_until_logged(page, PUBLISHED)
    entries = log_entries(page).count()

    button(page, "Step").click()
    expect(log_entries(page)).to_have_count(entries + 1)
    expect(tokens(page, "OrderCreatedEvent m2")).to_have_count(2)
    button(page, "Step back").click()

    expect(log_entries(page)).to_have_count(entries)
    expect(log_entries(page).last).to_contain_text(PUBLISHED)
    expect(tokens(page, "OrderCreatedEvent m2")).to_have_count(3)


def test_play_moves_tokens_and_pause_stops_the_clock(page: Page, live_daphne: str) -> None:
    open_sim(page)
    page.get_by_label("Speed").fill("0.5")
    button(page, "Play").click()

    expect(tokens(page, "PlaceOrderCommand")).to_have_count(1)
    first = transforms(tokens(page, "PlaceOrderCommand"))
    page.wait_for_function(
        "before => document.querySelector('.sim-diagram .token')"
        "  ?.getAttribute('transform') !== before",
        arg=first[0],
    )
    button(page, "Pause").click()
    expect(button(page, "Play")).to_have_attribute("aria-pressed", "false")
    clock = page.locator('[data-sim="clock"]')
    paused_at, placed = clock.text_content(), transforms(diagram(page).locator(".token"))
    animation_frames(page)  # a paused run must not move, however many frames are drawn
    assert clock.text_content() == paused_at
    assert transforms(diagram(page).locator(".token")) == placed


def test_the_speed_the_learner_sets_is_the_runs_speed_after_step_back(
    page: Page, live_daphne: str
) -> None:
    open_sim(page)
    button(page, "Step").click()
    expect(log_entries(page)).to_have_count(1)

    page.get_by_role("slider", name="Speed").fill("4")
    button(page, "Step back").click()  # answered by a snapshot: the server's own word on speed

    expect(log_entries(page)).to_have_count(0)
    expect(page.get_by_role("slider", name="Speed")).to_have_attribute("aria-valuetext", "4×")


def test_the_inspector_shows_a_tokens_envelope_and_follows_its_causation_link(
    page: Page, live_daphne: str
) -> None:
    open_sim(page)
    step_until_logged(page, PUBLISHED)
    inspector = page.get_by_role("region", name="Inspector")

    tokens(page, "OrderCreatedEvent m2").first.click()

    expect(inspector).to_contain_text("OrderCreatedEvent")
    fields = inspector.locator("dl").first
    expect(fields).to_contain_text(re.compile(r"Message id\s*m2"))
    expect(fields).to_contain_text(re.compile(r"Correlation id\s*m1"))
    expect(fields).to_contain_text(re.compile(r"Causation id\s*m1"))
    expect(inspector.locator("pre")).to_contain_text('"orderId": "A123"')
    inspector.get_by_role("button", name="m1").first.click()
    expect(fields).to_contain_text(re.compile(r"Message id\s*m1"))
    expect(fields).to_contain_text("PlaceOrderCommand")


def test_a_log_entry_opens_its_message_in_the_inspector_from_the_keyboard(
    page: Page, live_daphne: str
) -> None:
    open_sim(page)
    step_until_logged(page, "took PlaceOrderCommand")

    log_entries(page).last.get_by_role("button").focus()
    page.keyboard.press("Enter")

    inspector = page.get_by_role("region", name="Inspector")
    expect(inspector).to_contain_text(re.compile(r"Message id\s*m1"))
    expect(inspector).to_contain_text(re.compile(r"Causation id\s*none"))


def test_clicking_a_queue_shows_its_depth_and_a_service_its_handlers(
    page: Page, live_daphne: str
) -> None:
    open_sim(page)
    inspector = page.get_by_role("region", name="Inspector")

    node(page, "order.commands").click()
    expect(inspector).to_contain_text(re.compile(r"Queue depth\s*0"))
    node(page, "Billing Service").click()

    expect(inspector).to_contain_text(re.compile(r"Status\s*up"))
    expect(inspector).to_contain_text("OrderCreatedEvent")


def test_taking_billing_down_greys_it_and_its_copy_of_the_event_waits(
    page: Page, live_daphne: str
) -> None:
    open_sim(page)
    billing = node(page, "Billing Service")

    billing.click(button="right")
    page.get_by_role("menuitem", name="Take Billing Service down").click()

    expect(billing).to_have_attribute("data-status", "down")
    expect(billing).to_have_accessible_name(re.compile("down"))
    step_until_logged(page, "OrderCreatedEvent (event m2) waits in Billing Service")
    expect(billing).to_have_accessible_name(re.compile("1 waiting"))
    # the keyboard brings it back, and the waiting copy is handled
    billing.focus()
    page.keyboard.press("u")
    expect(billing).to_have_attribute("data-status", "up")
    step_until_logged(page, "Billing Service handled OrderCreatedEvent")


def test_the_keyboard_opens_the_fault_menu_and_escape_returns_focus(
    page: Page, live_daphne: str
) -> None:
    open_sim(page)
    orders = node(page, "Order Service")
    orders.focus()

    page.keyboard.press("Shift+F10")
    menu = page.get_by_role("menu")
    expect(
        menu.get_by_role("menuitem", name="Make Order Service fail its next handling")
    ).to_be_visible()
    page.keyboard.press("Escape")

    expect(menu).to_have_count(0)
    expect(orders).to_be_focused()


def test_send_another_order_injects_a_second_place_order_command(
    page: Page, live_daphne: str
) -> None:
    open_sim(page)
    step_until_logged(page, "API Gateway sent PlaceOrderCommand (command m1)")

    button(page, "Send another order").click()

    # the new command is on its way (a client's send has no id until it arrives) ...
    expect(tokens(page, "PlaceOrderCommand")).to_have_count(1)
    # ... and arrives as the second order of the run
    step_until_logged(page, "API Gateway sent PlaceOrderCommand (command m2)")


def test_the_step_shortcut_steps_and_is_shown_in_the_tooltip(page: Page, live_daphne: str) -> None:
    open_sim(page)
    expect(button(page, "Step")).to_have_attribute("aria-keyshortcuts", "S")

    page.locator("body").press("s")

    expect(log_entries(page)).to_have_count(1)


def test_the_log_filters_by_kind(page: Page, live_daphne: str) -> None:
    open_sim(page)
    step_until_logged(page, PUBLISHED)

    page.get_by_label("Filter by kind").select_option("event")

    visible = log_entries(page).filter(visible=True)
    expect(visible).to_have_count(1)
    expect(visible.first).to_contain_text(PUBLISHED)


def test_the_timeline_seeks_back_to_an_earlier_record(page: Page, live_daphne: str) -> None:
    open_sim(page)
    step_until_logged(page, PUBLISHED)

    page.get_by_role("slider", name="Timeline").fill("1")

    expect(log_entries(page)).to_have_count(1)
    expect(page.get_by_role("slider", name="Timeline")).to_have_attribute(
        "aria-valuetext", re.compile(r"record 1 of 1")
    )


def test_with_reduced_motion_tokens_jump_instead_of_gliding(page: Page, live_daphne: str) -> None:
    page.emulate_media(reduced_motion="reduce")
    open_sim(page)
    expect(page.locator(".sim-diagram")).to_have_attribute("data-motion", "reduced")
    step_until_logged(page, PUBLISHED)
    copies = tokens(page, "OrderCreatedEvent m2")
    before = transforms(copies)

    button(page, "Step").click()
    expect(log_entries(page).last).to_contain_text("received OrderCreatedEvent")

    animation_frames(page)  # a glide moves its tokens from the first frame drawn after a Step
    remaining = transforms(tokens(page, "OrderCreatedEvent m2"))
    assert set(remaining) <= set(before), (before, remaining)


def test_commands_and_events_differ_in_shape_and_line_style_in_the_legend(
    page: Page, live_daphne: str
) -> None:
    open_sim(page)

    legend = page.locator(".sim-diagram").get_by_text(re.compile(r"^(Command|Event|Reply)"))
    expect(legend).to_have_count(3)
    dashes = page.evaluate(
        """() => [...document.querySelectorAll('.sim-diagram [data-kinds]')]
              .map(el => [el.dataset.kinds, getComputedStyle(el).strokeDasharray])"""
    )
    command_lines = {d for kinds, d in dashes if kinds == "command"}
    event_lines = {d for kinds, d in dashes if kinds == "event"}
    assert command_lines == {"none"} and event_lines and "none" not in event_lines, dashes


def test_f_makes_the_next_handling_fail_and_the_queue_delivers_it_again(
    page: Page, live_daphne: str
) -> None:
    open_sim(page)
    orders = node(page, "Order Service")

    orders.focus()
    page.keyboard.press("f")
    step_until_logged(page, "Order Service failed PlaceOrderCommand")

    step_until_logged(page, "goes back to queue order.commands for delivery 2")
    step_until_logged(
        page, "took PlaceOrderCommand (command m1) from queue order.commands (attempt 2)"
    )
