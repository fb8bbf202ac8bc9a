"""Helpers for the browser tests: open the simulator page, find its parts by role and name."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, NoReturn

import pytest
from playwright.sync_api import Locator, Page

# axe-core comes from npm (package.json, installed by `make test`); the `axe_url` fixture
# (tests/conftest.py) serves it to the page from the page's own origin: no network needed.
AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
AXE_MISSING = "axe-core not installed: run `make test` (it runs `npm ci`), or `npm ci`"


def missing(what: str) -> NoReturn:
    """Skip a test whose browser tooling is not installed; fail it where CI requires it."""
    if os.environ.get("MSGLAB_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{what} — MSGLAB_REQUIRE_BROWSER=1", pytrace=False)
    pytest.skip(what)


def open_sim(page: Page, slug: str = "order-flow") -> None:
    page.goto(f"/sim/{slug}/")
    page.wait_for_selector('[data-ws="open"]')


def button(page: Page, name: str) -> Locator:
    return page.get_by_role("button", name=name, exact=True)


def log_entries(page: Page) -> Locator:
    return page.get_by_role("log", name="Message log").get_by_role("listitem")


def animation_frames(page: Page, count: int = 24) -> None:
    """Wait until the page has drawn ``count`` more frames (about 0.4 s at 60 Hz).

    The diagram moves tokens and its clock only in animation frames, so a picture that holds
    still across them is still: the wait is measured in the thing under test, not in seconds.
    """
    page.evaluate(
        """count => new Promise(done => {
          const next = () => (--count <= 0 ? done() : requestAnimationFrame(next));
          requestAnimationFrame(next);
        })""",
        count,
    )


def serious_violations(page: Page, axe_url: str) -> list[dict[str, Any]]:
    """What axe-core finds serious or critical in the page as it is now."""
    page.add_script_tag(url=axe_url)
    violations: list[dict[str, Any]] = page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations
             .filter(v => v.impact === "serious" || v.impact === "critical")
             .map(v => ({id: v.id, impact: v.impact, help: v.help,
                         nodes: v.nodes.map(n => n.target.join(" ")).slice(0, 5)}))"""
    )
    return violations
