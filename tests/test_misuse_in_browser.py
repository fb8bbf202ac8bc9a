"""The misuse checker in a real Chromium against a real Daphne: a warning explained in the
editor, its lesson one click away, its fix applied and undone; and on a run page."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser import button

pytestmark = pytest.mark.browser

LESSON = "Lesson: Queues and topics: one receiver or every subscriber"
FIX = "Turn topic orders.commands into a queue"

COMMAND_ON_A_TOPIC: dict[str, Any] = {
    "schema": "msglab/topology@1",
    "name": "Orders on a topic",
    "nodes": [
        {
            "id": "shop",
            "kind": "client",
            "label": "Web Shop",
            "position": {"x": 120, "y": 300},
            "sends": [
                {
                    "to": "orders.commands",
                    "message": {"type": "PlaceOrderCommand", "kind": "command"},
                }
            ],
        },
        {"id": "orders.commands", "kind": "topic", "position": {"x": 340, "y": 300}},
        {
            "id": "orders",
            "kind": "service",
            "label": "Order Service",
            "position": {"x": 560, "y": 220},
            "subscribes": ["orders.commands"],
            "handles": {"PlaceOrderCommand": {}},
        },
        {
            "id": "audit",
            "kind": "service",
            "label": "Audit",
            "position": {"x": 560, "y": 380},
            "subscribes": ["orders.commands"],
            "handles": {"PlaceOrderCommand": {}},
        },
    ],
}


def open_with_the_misuse(page: Page, tmp_path: Path) -> None:
    page.goto("/sim/")
    page.evaluate("localStorage.clear()")  # no draft from an earlier test
    page.goto("/sim/")
    file = tmp_path / "orders-on-a-topic.json"
    file.write_text(json.dumps(COMMAND_ON_A_TOPIC))
    page.get_by_label("Import JSON").set_input_files(file)
    expect(page.locator("[data-editor=said]")).to_have_text(
        "Imported orders-on-a-topic.json: 4 nodes."
    )


def checker(page: Page) -> Locator:
    return page.get_by_role("region", name="Misuse checker")


def topic_node(page: Page) -> Locator:
    diagram = page.locator('[data-sim="diagram"]')
    return diagram.get_by_role("button", name=re.compile(r"^orders\.commands,"))


def test_the_editor_explains_the_misuse_links_its_lesson_and_fixes_it_undoably(
    page: Page, tmp_path: Path
) -> None:
    open_with_the_misuse(page, tmp_path)

    panel = checker(page)
    expect(panel).to_contain_text("A command sent to a topic")
    expect(panel).to_contain_text("so every subscriber carries the command out")
    expect(panel).to_contain_text("Why it matters: With two subscribers the order ships twice")
    expect(
        panel.get_by_role("button", name=re.compile(r"^Web Shop: PlaceOrderCommand"))
    ).to_be_visible()

    panel.get_by_role("link", name=LESSON).click()
    expect(page).to_have_url(re.compile(r"/lessons/queues-and-topics/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Queues and topics: one receiver or every subscriber"
    )
    page.go_back()  # the work in progress is still there
    expect(checker(page).get_by_role("button", name=FIX)).to_be_visible()
    expect(topic_node(page)).to_have_attribute("aria-label", re.compile(r", topic"))

    checker(page).get_by_role("button", name=FIX).click()

    expect(page.locator("[data-editor=said]")).to_have_text(f"Done: {FIX}. Undo takes it back.")
    expect(checker(page).get_by_role("heading", name="Misuse checker")).to_be_focused()
    expect(checker(page)).to_contain_text("No misuse found")
    expect(checker(page).locator("li")).to_have_count(0)
    expect(topic_node(page)).to_have_attribute(
        "aria-label", re.compile(r"^orders\.commands, queue")
    )
    expect(button(page, "Run")).to_be_enabled()

    button(page, "Undo").click()

    expect(topic_node(page)).to_have_attribute(
        "aria-label", re.compile(r"^orders\.commands, topic")
    )
    expect(checker(page)).to_contain_text("A command sent to a topic")
    expect(checker(page).get_by_role("button", name=FIX)).to_be_visible()


def test_a_run_page_explains_its_warnings_and_sends_you_to_the_editor_to_fix_them(
    page: Page, tmp_path: Path
) -> None:
    open_with_the_misuse(page, tmp_path)
    button(page, "Save").click()
    page.locator("[data-editor=share] a").click()
    page.wait_for_selector('[data-ws="open"]')

    warnings = page.locator("[data-sim=warnings]")
    expect(warnings).to_be_visible()
    item = warnings.get_by_role("listitem")
    expect(item).to_have_count(1)
    expect(item).to_contain_text("A command sent to a topic")
    expect(item).to_contain_text("PlaceOrderCommand is a command published to topic")
    expect(item).to_contain_text("Why it matters: With two subscribers")
    expect(item.get_by_role("link", name=LESSON)).to_have_attribute(
        "href", "/lessons/queues-and-topics/"
    )

    warnings.get_by_role("link", name="Fix it in the editor").click()

    expect(page).to_have_url(re.compile(r"/sim/\?copy="))
    expect(checker(page).get_by_role("button", name=FIX)).to_be_visible()
