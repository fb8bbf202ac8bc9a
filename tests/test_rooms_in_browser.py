"""Classroom mode in two real Chromium contexts against a real Daphne: a presenter who starts a
room from a scenario and drives it, and a student who joins by code and follows, found by role
and name as a learner (or a screen reader) finds them."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any, Literal

import pytest
from playwright.sync_api import (
    BrowserContext,
    Locator,
    Page,
    Route,
    ViewportSize,
    WebSocket,
    expect,
)

from tests.browser import AXE, button, log_entries, serious_violations

pytestmark = pytest.mark.browser

PROJECTOR: ViewportSize = {"width": 1366, "height": 768}
PHONE: ViewportSize = {"width": 375, "height": 740}


@pytest.fixture
def errors(page: Page) -> Iterator[list[str]]:
    """Uncaught script errors of the presenter's page and of every student's page."""
    found: list[str] = []
    page.on("pageerror", lambda error: found.append(f"presenter: {error}"))
    yield found


@pytest.fixture
def student(new_context: Callable[..., BrowserContext], errors: list[str]) -> Page:
    """A second browser, with cookies of its own: the student's."""
    student_page = new_context().new_page()
    student_page.on("pageerror", lambda error: errors.append(f"student: {error}"))
    return student_page


def start_room(page: Page, path: str = "/sim/order-flow/") -> str:
    """Press "Present to a class" on ``path``; the presenter's run is live. Returns the code."""
    page.goto(path)
    button(page, "Present to a class").click()
    page.wait_for_url(re.compile(r"/rooms/[A-Z]{7}/present/$"))
    page.wait_for_selector('[data-ws="open"]')
    code = page.locator("[data-room-code]").get_attribute("data-room-code")
    assert code is not None and re.fullmatch(r"[A-Z]{7}", code), code
    return code


def join_room(page: Page, code: str) -> None:
    """Type the code as a student would read it off the projector: lower case, with a space."""
    page.goto("/join/")
    page.get_by_label("Room code").fill(f"{code[:3].lower()} {code[3:].lower()}")
    page.get_by_label("Room code").press("Enter")
    page.wait_for_url(re.compile(rf"/r/{code}/$"))
    page.wait_for_selector('[data-ws="open"]')


def students(page: Page) -> Locator:
    return page.get_by_role("status").filter(has_text=re.compile(r"students? connected$"))


def diagram_node(page: Page, label: str) -> Locator:
    return page.locator('[data-sim="diagram"]').get_by_role(
        "button", name=re.compile(rf"^{re.escape(label)},")
    )


def said(page: Page) -> Locator:
    """The room's polite live region (spotlight, polls, closing)."""
    return page.locator('[data-room="said"]')


def poll_card(page: Page) -> Locator:
    return page.get_by_role("region", name=re.compile("command or an event"))


def test_the_student_joins_by_code_and_follows_the_presenters_steps_and_step_back(
    page: Page, student: Page, errors: list[str]
) -> None:
    code = start_room(page)
    expect(students(page)).to_have_text("0 students connected")
    join_room(student, code)
    expect(students(page)).to_have_text("1 student connected")
    expect(student.get_by_role("status").filter(has_text="Connected")).to_be_visible()

    for _ in range(3):
        button(page, "Step").click()
    expect(log_entries(page)).to_have_count(3)
    expect(log_entries(student)).to_have_count(3)
    expect(log_entries(student).first).to_contain_text("PlaceOrderCommand")

    button(page, "Step back").click()
    expect(log_entries(student)).to_have_count(2)
    expect(log_entries(page)).to_have_count(2)
    assert errors == []


def test_a_played_run_reaches_the_student_to_its_end_and_the_student_acknowledges_frames(
    page: Page, student: Page, errors: list[str]
) -> None:
    acks: list[dict[str, Any]] = []
    received: list[str | bytes] = []

    def watch(socket: WebSocket) -> None:
        socket.on("framesent", lambda payload: acks.append(json.loads(payload)))
        socket.on("framereceived", lambda payload: received.append(payload))

    student.on("websocket", watch)
    code = start_room(page)
    join_room(student, code)

    page.get_by_label("Speed").fill("2")  # about 35 frames: at least one ack, in 5 s
    button(page, "Play").click()
    finished = re.compile(r"Simulated time .* · finished")
    expect(page.get_by_text(finished)).to_be_visible(timeout=30_000)
    expect(student.get_by_text(finished)).to_be_visible()
    expect(log_entries(student).last).to_contain_text("InvoiceCreatedEvent")
    expect(log_entries(student)).to_have_count(log_entries(page).count())
    # every 30 frames received (docs/protocol.md, Back-pressure), and nothing else was sent
    assert len(received) >= 30, "too short a run to need an ack"
    assert [ack["frames"] for ack in acks] == [30 * (n + 1) for n in range(len(acks))]
    assert {ack["action"] for ack in acks} == {"ack"}
    assert errors == []


def test_the_presenters_spotlight_rings_a_node_and_then_a_message_on_the_students_page(
    page: Page, student: Page, errors: list[str]
) -> None:
    code = start_room(page)
    join_room(student, code)
    expect(button(page, "Spotlight the selection")).to_be_disabled()

    diagram_node(page, "Billing Service").click()
    button(page, "Spotlight the selection").click()

    ring = student.locator('[data-spotlight="node"][data-spotlight-target="billing"]')
    expect(ring).to_have_count(1)
    expect(ring).to_contain_text("Spotlight")
    expect(said(student)).to_have_text("Spotlight: Billing Service")
    expect(page.get_by_text("In the spotlight: Billing Service")).to_be_visible()

    # a message: its token wears a ring, and its entries in the log are marked
    button(page, "Step").click()
    expect(log_entries(student)).to_have_count(1)
    log_entries(page).first.get_by_role("button").click()
    button(page, "Spotlight the selection").click()
    expect(student.locator('[data-spotlight="node"]')).to_have_count(0)
    marked = student.get_by_role("log", name="Message log").locator('[data-spotlight="message"]')
    expect(marked).to_have_count(1)
    expect(marked).to_contain_text("PlaceOrderCommand")
    expect(said(student)).to_contain_text("Spotlight: PlaceOrderCommand")

    button(page, "Clear spotlight").click()
    expect(said(student)).to_have_text("Spotlight off")
    expect(student.locator("[data-spotlight]")).to_have_count(0)
    assert errors == []


def test_a_command_or_event_poll_is_answered_counted_and_revealed(
    page: Page, student: Page, errors: list[str]
) -> None:
    code = start_room(page)
    join_room(student, code)
    ask = button(page, "Ask: command or event?")
    expect(ask).to_be_disabled()
    expect(ask).to_have_accessible_description(re.compile("Select a command or an event"))

    button(page, "Step").click()
    log_entries(page).first.get_by_role("button").click()  # PlaceOrderCommand m1
    expect(ask).to_be_enabled()
    kind_filter = student.get_by_label("Filter by kind")
    kind_filter.focus()  # where the student is when the poll opens
    ask.click()

    card = poll_card(student)
    expect(card).to_be_visible()
    expect(said(student)).to_contain_text("Poll from the presenter")
    expect(kind_filter).to_be_focused()  # announced, not grabbed
    card.get_by_role("radio", name="A command").check()
    button(student, "Send my answer").click()
    expect(card).to_contain_text("Answer sent: A command")
    expect(card.get_by_role("radio", name="An event")).to_be_disabled()

    chart = page.get_by_role("list", name=re.compile("command or an event"))
    expect(chart.get_by_role("listitem").filter(has_text="A command")).to_contain_text("1 vote")
    expect(chart.get_by_role("listitem").filter(has_text="An event")).to_contain_text("0 votes")
    expect(chart).not_to_contain_text("right answer")  # not on the projector before the reveal

    button(page, "Reveal the answer").click()
    expect(card).to_contain_text("The answer: A command. You were right.")
    expect(card.get_by_role("listitem").filter(has_text="A command")).to_contain_text("1 vote")
    expect(chart.get_by_role("listitem").filter(has_text="A command")).to_contain_text(
        "right answer"
    )

    button(page, "End the poll").click()
    expect(card).to_be_hidden()
    assert errors == []


def inside_the_viewport(page: Page, selector: str, viewport: ViewportSize) -> None:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, selector
    assert box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"], (selector, box)
    assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"], (selector, box)


def test_a_student_has_no_run_controls_and_both_pages_fit_their_screens(
    page: Page, student: Page, errors: list[str]
) -> None:
    page.set_viewport_size(PROJECTOR)
    code = start_room(page)
    student.set_viewport_size(PHONE)
    join_room(student, code)

    for name in ("Play", "Pause", "Step", "Step back", "Reset"):
        expect(button(student, name)).to_have_count(0)
    controls = student.locator("[data-sim-action], input[type=range]")
    assert controls.evaluate_all("all => all.filter(c => !c.disabled).length") == 0
    diagram_node(student, "Billing Service").focus()
    student.keyboard.press("s")  # neither a step nor a fault: read-only
    student.keyboard.press("d")

    # the presenter's own keys: ArrowRight steps, ArrowLeft steps back
    page.locator("body").press("ArrowRight")
    page.locator("body").press("ArrowRight")
    expect(log_entries(student)).to_have_count(2)
    page.locator("body").press("ArrowLeft")
    expect(log_entries(student)).to_have_count(1)
    expect(log_entries(page)).to_have_count(1)
    expect(student.locator('[data-sim="error"]')).to_be_empty()
    expect(diagram_node(student, "Billing Service")).to_have_attribute("data-status", "up")
    page.locator("body").press(" ")  # Space: play, then pause
    expect(button(page, "Play")).to_have_attribute("aria-pressed", "true")
    page.locator("body").press(" ")
    expect(button(page, "Play")).to_have_attribute("aria-pressed", "false")

    assert page.evaluate("document.documentElement.scrollWidth") <= PROJECTOR["width"]
    for selector in ("[data-room-code]", ".room-qr", '[data-sim="diagram"] .diagram-svg'):
        inside_the_viewport(page, selector, PROJECTOR)
    assert student.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    button(page, "Full screen").click()  # the room alone: run, code and polls
    expect(button(page, "Exit full screen")).to_be_visible()
    assert page.evaluate("document.fullscreenElement.dataset.roomRole") == "presenter"
    button(page, "Exit full screen").click()
    expect(button(page, "Full screen")).to_be_visible()
    assert errors == []


def test_closing_the_room_tells_the_student_and_stops_the_reconnecting(
    page: Page, student: Page, errors: list[str]
) -> None:
    code = start_room(page)
    join_room(student, code)
    page.once("dialog", lambda dialog: dialog.accept())  # "Close the room?"

    button(page, "Close the room").click()

    closed = student.get_by_role("heading", name="This room has closed.")
    expect(closed).to_be_visible()
    expect(student.get_by_role("link", name="Join another room")).to_have_attribute(
        "href", "/join/"
    )
    expect(said(student)).to_contain_text("This room has closed.")
    # closed for good (4410): no "Reconnecting…", and the presenter's controls are off too
    expect(student.locator(".sim")).to_have_attribute("data-ws", "closed")
    expect(page.locator(".sim")).to_have_attribute("data-ws", "closed")
    expect(button(page, "Step")).to_be_disabled()
    expect(button(page, "Close the room")).to_be_disabled()
    assert errors == []


def test_a_wrong_code_is_refused_next_to_the_field_naming_the_rule(page: Page) -> None:
    page.goto("/join/")
    code = page.get_by_label("Room code")
    code.press_sequentially("kxm")  # the keyboard alone, as on a phone
    code.press("Enter")

    code = page.get_by_label("Room code")
    expect(code).to_have_attribute("aria-invalid", "true")
    expect(code).to_have_accessible_description(re.compile(r"Room code: A room code is 7 letters"))
    expect(code).to_have_value("kxm")
    for attribute, value in [("autocapitalize", "characters"), ("autocomplete", "off"),
                             ("spellcheck", "false"), ("inputmode", "text")]:  # fmt: skip
        expect(code).to_have_attribute(attribute, value)


@pytest.fixture
def axe(page: Page, student: Page, axe_url: str) -> Callable[[Page], list[dict[str, Any]]]:
    """Runs axe-core in the presenter's or the student's page, served from their own origin."""

    def serve(route: Route) -> None:
        route.fulfill(path=AXE, content_type="text/javascript")

    student.route(axe_url, serve)  # `axe_url` serves it to `page` already

    def serious(target: Page) -> list[dict[str, Any]]:
        return serious_violations(target, axe_url)

    return serious


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_presenter_and_a_student_with_a_poll_open_have_no_serious_violations(
    page: Page,
    student: Page,
    axe: Callable[[Page], list[dict[str, Any]]],
    errors: list[str],
    scheme: Literal["light", "dark"],
) -> None:
    for each in (page, student):
        each.emulate_media(color_scheme=scheme)
    code = start_room(page, "/lessons/order-flow/")
    join_room(student, code)
    for _ in range(2):
        button(page, "Step").click()
    log_entries(page).first.get_by_role("button").click()
    button(page, "Spotlight the selection").click()
    button(page, "Ask: command or event?").click()
    expect(poll_card(student)).to_be_visible()
    expect(page.get_by_text(re.compile(r"Open · "))).to_be_visible()

    assert axe(page) == []
    assert axe(student) == []
    assert errors == []
