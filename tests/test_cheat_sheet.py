"""The cheat sheet (/cheat-sheet/): the message/command/event table, naming, queue or topic,
the pattern map and how it maps to real brokers, on one printed A4 page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from playwright.sync_api import Page, expect
from pytest_django.asserts import assertContains, assertTemplateUsed

from tests.browser import serious_violations


def cheat_sheet(client: Client) -> str:
    response = client.get("/cheat-sheet/")
    assert response.status_code == 200
    assertTemplateUsed(response, "lessons/cheat_sheet.html")
    return response.content.decode()


def table(html: str, name: str) -> str:
    start = html.index(f'<table class="cheat-table {name}"')
    return html[start : html.index("</table>", start)]


def test_the_cheat_sheet_is_one_page_with_one_h1(client: Client) -> None:
    html = cheat_sheet(client)

    assert len(re.findall(r"<h1[\s>]", html)) == 1
    assert "<title>Cheat sheet: messages, commands and events — msglab</title>" in html


def test_the_cheat_sheet_compares_command_event_and_message_on_every_aspect(
    client: Client,
) -> None:
    compare = table(cheat_sheet(client), "cheat-compare")

    columns = re.findall(r'<th scope="col">([^<]+)</th>', compare)
    assert columns == ["Command", "Event", "Message"]
    rows = re.findall(r'<th scope="row">([^<]+)</th>', compare)
    assert rows == [
        "Definition",
        "Sender’s intent",
        "Receivers",
        "Timing",
        "Coupling",
        "Example names",
        "Typical channel",
    ]
    assert compare.count('data-label="Command"') == len(rows)  # the phone layout's labels


def test_the_cheat_sheet_gives_the_naming_rules_with_examples(client: Client) -> None:
    response = client.get("/cheat-sheet/")

    for name in ("PlaceOrderCommand", "OrderPlacedEvent", "GetStockLevelQuery", "StockLevelReply"):
        assertContains(response, f"<code>{name}</code>")
    assertContains(response, "imperative")
    assertContains(response, "past tense")


def test_the_cheat_sheet_says_a_queue_is_not_a_command_and_a_topic_not_an_event(
    client: Client,
) -> None:
    response = client.get("/cheat-sheet/")

    assertContains(response, '<h2 id="channel-heading">Queue or topic?</h2>')
    assertContains(response, "A queue is not a command")
    assertContains(response, "A topic is not an event")


def test_the_cheat_sheet_maps_each_pattern_to_its_purpose_and_messages(client: Client) -> None:
    patterns = table(cheat_sheet(client), "cheat-patterns")

    assert re.findall(r'<th scope="row">([^<]+)</th>', patterns) == [
        "Command pattern",
        "Event-driven architecture",
        "CQRS",
        "Saga",
        "Transactional outbox",
        "Idempotent consumer",
    ]
    assert re.findall(r'<th scope="col">([^<]+)</th>', patterns) == [
        "Pattern",
        "What it is for",
        "Messages it uses",
    ]


def test_the_cheat_sheet_maps_commands_to_rabbitmq_and_events_to_kafka_in_python(
    client: Client,
) -> None:
    maps = table(cheat_sheet(client), "cheat-maps")

    assert "RabbitMQ: a <strong>queue</strong>" in maps
    assert "Kafka: a <strong>topic</strong>" in maps
    assert "<code>aio-pika</code>" in maps
    assert "<code>aiokafka</code>" in maps


def test_the_cheat_sheet_has_no_inline_style_or_script_and_a_print_stylesheet(
    client: Client,
) -> None:
    html = cheat_sheet(client)

    assert " style=" not in html and "<style" not in html
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []
    assert '<link rel="stylesheet" href="/static/css/print.css" media="print">' in html


def test_the_print_stylesheet_sets_an_a4_page_with_12mm_margins() -> None:
    found = finders.find("css/print.css")
    assert isinstance(found, str)
    css = Path(found).read_text(encoding="utf-8")

    page_rule = re.search(r"@page\s*\{([^}]*)\}", css)
    assert page_rule is not None
    assert re.search(r"size:\s*A4;", page_rule.group(1))
    assert re.search(r"margin:\s*12mm;", page_rule.group(1))


def pdf_pages(pdf: bytes) -> int:
    """Pages of a PDF as Chromium writes it: one `/Type /Page` object each (`/Pages` is the
    tree that holds them)."""
    return len(re.findall(rb"/Type\s*/Page(?![A-Za-z])", pdf))


@pytest.mark.browser
def test_the_cheat_sheet_prints_on_exactly_one_a4_page(page: Page, live_daphne: str) -> None:
    page.goto("/cheat-sheet/")

    pdf = page.pdf(format="A4")

    assert pdf.startswith(b"%PDF")
    assert pdf_pages(pdf) == 1


@pytest.mark.browser
def test_on_paper_the_cheat_sheet_leaves_out_the_site_header_and_footer(
    page: Page, live_daphne: str
) -> None:
    page.emulate_media(media="print")
    page.goto("/cheat-sheet/")

    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator(".site-footer")).to_be_hidden()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.locator("table.cheat-maps")).to_be_visible()


@pytest.mark.browser
def test_on_a_phone_the_cheat_sheet_stacks_its_tables_instead_of_widening_the_page(
    page: Page, live_daphne: str
) -> None:
    page.set_viewport_size({"width": 375, "height": 812})
    page.goto("/cheat-sheet/")

    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    for name in ("cheat-compare", "cheat-patterns", "cheat-maps"):
        box = page.locator(f"table.{name}").bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 375, name


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_cheat_sheet_has_no_serious_accessibility_violations(
    page: Page, axe_url: str, scheme: str
) -> None:
    page.emulate_media(color_scheme="dark" if scheme == "dark" else "light")
    page.goto("/cheat-sheet/")

    assert serious_violations(page, axe_url) == []
