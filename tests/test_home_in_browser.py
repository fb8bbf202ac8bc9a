from __future__ import annotations

import pytest
from playwright.sync_api import Page, Request, expect

from simulator.scenarios import list_scenarios

pytestmark = pytest.mark.browser


def test_home_page_shows_a_heading_and_a_list_item_per_scenario(
    page: Page, live_daphne: str
) -> None:
    scenarios = list_scenarios()

    page.goto("/")

    expect(page.get_by_role("heading", level=1)).to_have_text("Messages, commands and events")
    listing = page.get_by_role("list", name="Built-in scenarios")
    expect(listing.get_by_role("listitem")).to_have_count(len(scenarios))
    for scenario in scenarios:
        expect(listing.get_by_role("heading", name=scenario.name, exact=True)).to_be_visible()


def test_home_page_makes_no_request_outside_its_own_origin(page: Page, live_daphne: str) -> None:
    urls: list[str] = []

    def record(request: Request) -> None:
        urls.append(request.url)

    page.on("request", record)
    page.goto("/", wait_until="networkidle")

    assert page.evaluate("typeof window.htmx") == "object"
    assert f"{live_daphne}/" in urls
    assert any(url.startswith(f"{live_daphne}/static/django_htmx/") for url in urls), urls
    assert [url for url in urls if not url.startswith(f"{live_daphne}/")] == []
