"""A room outlives its server: a real Daphne killed with SIGKILL and started again rebuilds the
room from the database, and the student's page in Chromium reconnects on its own and shows
the same run, record for record."""

from __future__ import annotations

import os
import re
import signal
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser import button, log_entries
from tests.servers import daphne_server

pytestmark = [pytest.mark.browser, pytest.mark.subprocess]

# the longest a room's page waits between tries (static/js/live.js), and a second to connect
BACK_WITHIN_MS = 3_000


def test_a_students_page_reconnects_to_a_restarted_server_and_shows_the_same_records(
    page: Page, new_context: Callable[..., BrowserContext], tmp_path: Path
) -> None:
    with daphne_server(tmp_path) as first:
        page.goto(f"{first.url}/sim/order-flow/")
        button(page, "Present to a class").click()
        page.wait_for_url(re.compile(r"/rooms/[A-Z]{7}/present/$"))
        page.wait_for_selector('[data-ws="open"]')
        code = page.locator("[data-room-code]").get_attribute("data-room-code")
        student = new_context().new_page()
        student.goto(f"{first.url}/r/{code}/")
        student.wait_for_selector('[data-ws="open"]')
        for _ in range(5):
            button(page, "Step").click()
        expect(log_entries(student)).to_have_count(5)
        records = log_entries(student).all_inner_texts()

        os.kill(first.pid, signal.SIGKILL)
        expect(student.locator('[data-ws="reconnecting"]')).to_have_count(1)

    port = int(first.url.rsplit(":", 1)[1])
    with daphne_server(tmp_path, port=port):
        # nobody touches the page: it comes back by itself, to the room rebuilt from its log
        expect(student.locator('[data-ws="open"]')).to_have_count(1, timeout=BACK_WITHIN_MS)
        expect(log_entries(student)).to_have_count(5)
        assert log_entries(student).all_inner_texts() == records
        # and follows the presenter again, whose page came back too
        expect(page.locator('[data-ws="open"]')).to_have_count(1, timeout=BACK_WITHIN_MS)
        button(page, "Step").click()
        expect(log_entries(student)).to_have_count(6)
