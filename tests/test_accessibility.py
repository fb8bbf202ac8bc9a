"""axe-core finds no serious or critical accessibility problem on the simulator pages.

axe-core comes from npm (package.json, installed by `make test`) and is served to the page from
the page's own origin, so the test needs no network and loads nothing from elsewhere.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser import button, log_entries, open_sim, serious_violations

pytestmark = pytest.mark.browser


def test_the_order_flow_page_mid_run_has_no_serious_violations(page: Page, axe_url: str) -> None:
    open_sim(page)
    for _ in range(8):  # tokens on the diagram, entries in the log
        button(page, "Step").click()
    log_entries(page).last.get_by_role("button").click()  # and the inspector filled in

    assert serious_violations(page, axe_url) == []


def test_the_order_flow_page_in_dark_mode_has_no_serious_violations(
    page: Page, axe_url: str
) -> None:
    page.emulate_media(color_scheme="dark")
    open_sim(page)
    for _ in range(8):
        button(page, "Step").click()

    assert serious_violations(page, axe_url) == []


def test_the_editor_has_no_serious_violations_while_editing_and_while_running(
    page: Page, axe_url: str
) -> None:
    page.goto("/sim/?scenario=order-flow")
    page.get_by_role("group", name="Diagram of Order flow").get_by_role(
        "button", name=re.compile("^Order Service,")
    ).click()  # the properties form of a service, with its handlers
    expect(page.locator("[data-editor=run-why]")).to_have_text("Ready to run.")

    assert serious_violations(page, axe_url) == []

    button(page, "Run").click()
    page.wait_for_selector('[data-ws="open"]')
    for _ in range(6):
        button(page, "Step").click()
    expect(log_entries(page)).to_have_count(6)

    assert serious_violations(page, axe_url) == []


def test_the_editor_with_a_problem_shown_has_no_serious_violations(
    page: Page, axe_url: str
) -> None:
    page.goto("/sim/?scenario=order-flow")
    diagram = page.get_by_role("group", name="Diagram of Order flow")
    diagram.get_by_role("button", name=re.compile("^order.commands,")).click()
    page.locator("[data-editor=properties]").get_by_label("Max deliveries", exact=True).fill("0")
    expect(page.locator("[data-editor=run-why]")).to_contain_text("fix 1 problem")

    assert serious_violations(page, axe_url) == []


def test_the_course_index_has_no_serious_violations(page: Page, axe_url: str) -> None:
    # the glossary and the cheat sheet are checked in their own tests, in both colour schemes
    page.goto("/lessons/")

    assert serious_violations(page, axe_url) == []


@pytest.mark.parametrize("slug", ["order-flow", "what-is-a-message"])
def test_a_lesson_mid_run_with_answers_shown_has_no_serious_violations(
    page: Page, axe_url: str, slug: str
) -> None:
    page.goto(f"/lessons/{slug}/")
    page.wait_for_selector('[data-lesson-run][data-ws="open"]')
    for _ in range(4):
        button(page, "Step").click()
    page.locator("#q1").get_by_role("radio").first.check()
    button(page, "Check answer 1").click()
    expect(page.locator("#q1-feedback")).not_to_be_empty()

    assert serious_violations(page, axe_url) == []


def test_a_lesson_exercise_being_edited_and_checked_has_no_serious_violations(
    page: Page, axe_url: str
) -> None:
    page.goto("/lessons/order-flow/")
    page.wait_for_selector('[data-lesson-run][data-ws="open"]')
    button(page, "Edit the system").click()
    button(page, "Check my solution").click()
    expect(page.locator("[data-exercise=result]")).to_contain_text("Not yet")

    assert serious_violations(page, axe_url) == []


def test_a_lesson_in_dark_mode_with_code_and_answers_has_no_serious_violations(
    page: Page, axe_url: str
) -> None:
    page.emulate_media(color_scheme="dark")
    page.goto("/lessons/pattern-map/")  # its code blocks are highlighted
    page.wait_for_selector('[data-lesson-run][data-ws="open"]')
    page.locator("#q1").get_by_role("radio").first.check()
    button(page, "Check answer 1").click()
    expect(page.locator("#q1-feedback")).not_to_be_empty()

    assert serious_violations(page, axe_url) == []
