"""The simulator page in a real Chromium, against a real Daphne (tests/conftest.py)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, Request, WebSocket, WebSocketRoute, expect

from tests.browser import button, log_entries, open_sim

pytestmark = pytest.mark.browser

SIM_SOCKET = re.compile(r"/ws/sim/")


class Relay:
    """Passes the page's sockets through to the real server; can hold new ones back.

    Holding a socket keeps the page between "connected" and "live" for as long as a test needs
    to look at it, without a sleep: the real server answers as soon as the socket is released.
    """

    def __init__(self, *, holding: bool = False) -> None:
        self.sockets: list[WebSocketRoute] = []
        self.held: list[WebSocketRoute] = []
        self.holding = holding

    def __call__(self, socket: WebSocketRoute) -> None:
        self.sockets.append(socket)
        if self.holding:
            self.held.append(socket)
        else:
            socket.connect_to_server()

    def release(self) -> None:
        self.holding = False
        for socket in self.held:
            socket.connect_to_server()
        self.held.clear()


def test_three_steps_log_three_records_and_step_back_forgets_the_last(
    page: Page, live_daphne: str
) -> None:
    open_sim(page)
    expect(button(page, "Step back")).to_be_disabled()

    for _ in range(3):
        button(page, "Step").click()

    expect(log_entries(page)).to_have_count(3)
    expect(log_entries(page).first).to_contain_text("PlaceOrderCommand")
    button(page, "Step back").click()
    expect(log_entries(page)).to_have_count(2)


def test_playing_at_speed_8_runs_the_order_flow_to_the_end(page: Page, live_daphne: str) -> None:
    open_sim(page)

    page.get_by_label("Speed").fill("8")  # one socket, in order: the run is fast before it plays
    button(page, "Play").click()

    expect(button(page, "Play")).to_have_attribute("aria-pressed", "true")
    expect(log_entries(page).last).to_contain_text("InvoiceCreatedEvent")
    expect(page.get_by_text(re.compile(r"Simulated time .* · finished"))).to_be_visible()
    expect(button(page, "Play")).to_be_disabled()
    expect(button(page, "Pause")).to_be_disabled()
    expect(button(page, "Reset")).to_be_enabled()


def test_pause_stops_a_playing_run_and_enables_play_again(page: Page, live_daphne: str) -> None:
    open_sim(page)
    page.get_by_label("Speed").fill("0.25")  # slow enough that the run cannot finish first

    button(page, "Play").click()
    expect(button(page, "Play")).to_be_disabled()
    button(page, "Pause").click()

    expect(button(page, "Play")).to_be_enabled()
    expect(button(page, "Pause")).to_be_disabled()


def test_keyboard_play_hands_focus_to_pause_instead_of_dropping_it(
    page: Page, live_daphne: str
) -> None:
    open_sim(page)
    page.get_by_label("Speed").fill("0.25")

    button(page, "Play").focus()
    page.keyboard.press("Enter")

    expect(button(page, "Pause")).to_be_focused()


def test_controls_stay_disabled_until_the_run_is_live(page: Page, live_daphne: str) -> None:
    relay = Relay(holding=True)
    page.route_web_socket(SIM_SOCKET, relay)
    page.goto("/sim/order-flow/")

    expect(page.get_by_role("status")).to_have_text("Connecting…")
    for name in ("Play", "Pause", "Step", "Step back", "Reset"):
        expect(button(page, name)).to_be_disabled()
    expect(page.get_by_label("Speed")).to_be_disabled()
    relay.release()
    expect(button(page, "Step")).to_be_enabled()


def test_a_dropped_connection_reconnects_to_the_same_run(page: Page, live_daphne: str) -> None:
    relay = Relay()
    page.route_web_socket(SIM_SOCKET, relay)
    open_sim(page)
    button(page, "Step").click()
    button(page, "Step").click()
    expect(log_entries(page)).to_have_count(2)

    relay.holding = True  # so that "Reconnecting…" cannot flash by before we look
    relay.sockets[-1].close(code=4000, reason="test drop")
    expect(page.get_by_role("status")).to_contain_text("Reconnecting…")
    relay.release()
    expect(page.get_by_role("status")).to_have_text("Live")
    expect(log_entries(page)).to_have_count(2)
    button(page, "Step").click()

    expect(log_entries(page)).to_have_count(3)
    # A new run would start over with "API Gateway sent …"; the same run goes on.
    expect(log_entries(page).nth(2)).to_contain_text("handled PlaceOrderCommand")


def test_a_missed_hops_frame_is_mended_with_a_resync(page: Page, live_daphne: str) -> None:
    lost: list[str] = []

    def lose_the_first_hops_frame(page_side: WebSocketRoute) -> None:
        server_side = page_side.connect_to_server()

        def from_server(message: str | bytes) -> None:
            if not lost and isinstance(message, str) and '"type":"hops"' in message:
                lost.append(message)
            else:
                page_side.send(message)

        server_side.on_message(from_server)

    page.route_web_socket(SIM_SOCKET, lose_the_first_hops_frame)
    open_sim(page)
    button(page, "Step").click()  # its answer, record 1, is lost on the way
    button(page, "Step").click()  # record 2 after record 0: the page asks for a snapshot

    expect(log_entries(page)).to_have_count(2)
    expect(log_entries(page).first).to_contain_text("API Gateway sent PlaceOrderCommand")


def test_the_narrator_speaks_at_most_every_half_second(page: Page, live_daphne: str) -> None:
    open_sim(page)
    page.evaluate(
        """() => {
          window.spoken = [];
          const narrator = document.querySelector('[aria-live="polite"]');
          new MutationObserver(() => spoken.push([performance.now(), narrator.textContent]))
            .observe(narrator, {childList: true, characterData: true, subtree: true});
        }"""
    )
    page.get_by_label("Speed").fill("8")
    button(page, "Play").click()
    expect(page.get_by_text(re.compile(r"· finished"))).to_be_visible()
    expect(page.locator('[aria-live="polite"]')).to_contain_text("InvoiceCreatedEvent")

    times = page.evaluate("spoken.map(([t]) => t)")
    gaps = [later - earlier for earlier, later in zip(times, times[1:], strict=False)]
    # An observer hears a change only once the task that made it ends, and the other islands
    # handle the same frame in that task: a time can be late by that much, a gap short by it.
    # Unthrottled, the gaps would be one frame (~16 ms).
    assert len(times) >= 2 and min(gaps) >= 450, (len(times), gaps)


def test_every_request_of_the_page_stays_on_its_own_origin(page: Page, live_daphne: str) -> None:
    urls: list[str] = []

    def record_request(request: Request) -> None:
        urls.append(request.url)

    def record_socket(socket: WebSocket) -> None:
        urls.append(socket.url)

    page.on("request", record_request)
    page.on("websocket", record_socket)
    open_sim(page)
    page.wait_for_load_state("networkidle")

    host = live_daphne.removeprefix("http://")
    assert f"ws://{host}/ws/sim/?scenario=order-flow" in urls, urls
    assert [url for url in urls if not re.match(rf"(http|ws)://{re.escape(host)}/", url)] == []
