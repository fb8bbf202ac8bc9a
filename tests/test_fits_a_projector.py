"""On a projector (1366 × 768) every simulator page shows the whole diagram and the Step button
without scrolling; on a phone (375 px) nothing is wider than the screen."""

from __future__ import annotations

import json
from urllib.request import Request, urlopen

import pytest
from playwright.sync_api import Page, ViewportSize, expect

from tests.browser import button

pytestmark = pytest.mark.browser

PROJECTOR: ViewportSize = {"width": 1366, "height": 768}


def saved_topology(live_daphne: str) -> str:
    """The path of a saved copy of order-flow, saved the way the editor saves one."""
    page_html = urlopen(f"{live_daphne}/sim/?scenario=order-flow").read().decode()
    start = page_html.split('id="editor-start" type="application/json">')[1].split("</script>")[0]
    token = page_html.split('"X-CSRFToken": "')[1].split('"')[0]
    request = Request(
        f"{live_daphne}/sim/save/",
        data=json.dumps(json.loads(start)).encode(),
        headers={
            "Content-Type": "application/json",
            "X-CSRFToken": token,
            "Cookie": f"csrftoken={token}",
            "Referer": f"{live_daphne}/sim/",
        },
    )
    path: str = json.loads(urlopen(request).read())["path"]
    return path


def inside_the_viewport(page: Page, selector: str) -> None:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, selector
    assert box["y"] >= 0 and box["y"] + box["height"] <= PROJECTOR["height"], (selector, box)
    assert box["x"] >= 0 and box["x"] + box["width"] <= PROJECTOR["width"], (selector, box)


@pytest.mark.parametrize("path", ["/sim/order-flow/", "/sim/saga-choreography/", "saved"])
def test_a_run_page_shows_the_diagram_and_step_on_one_projector_screen(
    page: Page, live_daphne: str, path: str
) -> None:
    page.set_viewport_size(PROJECTOR)
    page.goto(saved_topology(live_daphne) if path == "saved" else path)
    page.wait_for_selector('[data-ws="open"]')

    inside_the_viewport(page, ".diagram-svg")
    expect(button(page, "Step")).to_be_in_viewport(ratio=1)
    assert page.evaluate("scrollY") == 0


def test_the_editor_shows_the_canvas_and_its_tools_on_one_projector_screen(page: Page) -> None:
    page.set_viewport_size(PROJECTOR)
    page.goto("/sim/?scenario=order-flow")
    expect(page.locator("[data-editor=run-why]")).to_have_text("Ready to run.")

    inside_the_viewport(page, ".diagram-svg")
    for name in ("Add service", "Run", "Undo"):
        expect(button(page, name)).to_be_in_viewport(ratio=1)
    button(page, "Run").click()
    page.wait_for_selector('[data-ws="open"]')
    inside_the_viewport(page, ".diagram-svg")
    expect(button(page, "Step")).to_be_in_viewport(ratio=1)


@pytest.mark.parametrize("path", ["/sim/order-flow/", "/sim/?scenario=order-flow"])
def test_on_a_phone_no_page_is_wider_than_the_screen(page: Page, path: str) -> None:
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(path)
    page.wait_for_selector(".diagram-svg")

    assert page.evaluate("document.documentElement.scrollWidth") <= 375
