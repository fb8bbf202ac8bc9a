from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, Route

from tests.browser import AXE, AXE_MISSING, missing
from tests.servers import ServerDidNotStart, daphne_server

# Playwright's sync API keeps an event loop running in the test thread; without this, Django
# refuses the database set-up of any test that runs after a browser test.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_MISSING = "Chromium not found: install it with `apt-get install chromium` (or run .ci/run)"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Run browser tests last (sorting is stable, so the rest keep their order)."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("browser") is None or CHROMIUM.exists():
        return
    missing(CHROMIUM_MISSING)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Use Debian's Chromium; Playwright's own browser download does not work here."""
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": ["--no-sandbox"]}


@pytest.fixture(scope="session")
def base_url(live_daphne: str) -> str:
    """pytest-playwright resolves relative URLs (`page.goto("/")`) against the live server."""
    return live_daphne


@pytest.fixture(scope="session")
def live_daphne(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Daphne serving config.asgi on a free loopback port; yields its base URL."""
    workdir = tmp_path_factory.mktemp("live-daphne")
    with contextlib.ExitStack() as stack:
        try:
            url = stack.enter_context(daphne_server(workdir)).url
        except ServerDidNotStart as error:
            pytest.fail(str(error))
        yield url


@pytest.fixture
def axe_url(page: Page, live_daphne: str) -> str:
    """Where ``page`` loads axe-core from: the page's own origin, served from node_modules."""
    if not AXE.exists():
        missing(AXE_MISSING)
    url = f"{live_daphne}/__tests__/axe.min.js"

    def serve(route: Route) -> None:
        route.fulfill(path=AXE, content_type="text/javascript")

    page.route(url, serve)
    return url
