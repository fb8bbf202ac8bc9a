"""The canvas editor in a real Chromium against a real Daphne: build, wire, edit, run."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Dialog, Locator, Page, expect

from tests.browser import button, log_entries

pytestmark = pytest.mark.browser

ORDER_TYPE = "PlaceOrderCommand"
EVENT_TYPE = "OrderCreatedEvent"
WIRED_EMIT = f"Wired: Service 1 emits to Topic 1 when it handles {ORDER_TYPE}."


def open_editor(page: Page, query: str = "") -> None:
    page.goto(f"/sim/{query}")
    page.evaluate("localStorage.clear()")  # no draft from an earlier test
    page.goto(f"/sim/{query}")
    expect(page.locator("[data-editor=run-why]")).not_to_have_text("Checking…")


def diagram(page: Page) -> Locator:
    return page.locator('[data-sim="diagram"]')


def node(page: Page, label: str) -> Locator:
    return diagram(page).get_by_role("button", name=re.compile(rf"^{re.escape(label)},"))


def said(page: Page) -> Locator:
    return page.locator("[data-editor=said]")


def document_of(page: Page) -> dict[str, Any]:
    """The editor's document as the page would export it."""
    with page.expect_download() as download:
        button(page, "Export JSON").click()
    path = download.value.path()
    assert path is not None
    data: dict[str, Any] = json.loads(Path(path).read_text())
    return data


def draft_of(page: Page) -> dict[str, Any]:
    """The editor's document as it keeps it across a reload (local storage), for tests that
    look at it after every step: Chromium stops a page's downloads after ten or so."""
    data: dict[str, Any] = json.loads(page.evaluate("localStorage.getItem('msglab:editor-draft')"))
    return data


def drag(page: Page, source: Locator, target: Locator) -> None:
    """A real pointer drag (Pointer Events), in small moves as a hand makes them."""
    start, end = source.bounding_box(), target.bounding_box()
    assert start is not None and end is not None
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    page.mouse.move(end["x"] + end["width"] / 2, end["y"] + end["height"] / 2, steps=8)
    page.mouse.up()


def port(page: Page, node_id: str) -> Locator:
    return diagram(page).locator(f'[data-port="{node_id}"]')


def field(page: Page, label: str) -> Locator:
    return page.locator("[data-editor=properties]").get_by_label(label, exact=True)


def test_building_order_flows_first_half_with_the_mouse_and_running_it(page: Page) -> None:
    open_editor(page)
    for kind in ("client", "queue", "service", "topic", "service", "service"):
        button(page, f"Add {kind}").click()
    expect(node(page, "Service 3")).to_have_attribute("aria-pressed", "true")  # new: selected

    # wires, dragged from each node's port to the next node
    drag(page, port(page, "client-1"), node(page, "Queue 1"))
    expect(said(page)).to_have_text("Wired: Client 1 sends to Queue 1.")
    drag(page, port(page, "queue-1"), node(page, "Service 1"))
    drag(page, port(page, "topic-1"), node(page, "Service 2"))
    drag(page, port(page, "topic-1"), node(page, "Service 3"))
    drag(page, port(page, "queue-1"), node(page, "Topic 1"))
    expect(page.locator("[data-editor=refusal]")).to_contain_text(
        "a topic cannot consume from a queue"
    )

    # the handler that turns the command into the event
    node(page, "Client 1").click()
    field(page, "Message type").fill(ORDER_TYPE)
    node(page, "Service 1").click()
    button(page, "Add handler").click()
    field(page, "Message type handled").fill(ORDER_TYPE)
    field(page, "Message type handled").press("Tab")
    drag(page, port(page, "service-1"), node(page, "Topic 1"))
    expect(said(page)).to_have_text(WIRED_EMIT)
    field(page, "Message type").fill(EVENT_TYPE)

    # a node moved by dragging it stays where it was dropped
    before = node(page, "Service 3").bounding_box()
    drag(page, node(page, "Service 3"), page.locator(".diagram-svg"))
    after = node(page, "Service 3").bounding_box()
    assert before is not None and after is not None and after != before

    expect(button(page, "Run")).to_be_enabled()
    button(page, "Run").click()
    page.wait_for_selector('[data-ws="open"]')
    for _ in range(12):
        if log_entries(page).filter(has_text=f"Service 3 received {EVENT_TYPE}").count():
            break
        entries = log_entries(page).count()
        button(page, "Step").click()
        expect(log_entries(page)).not_to_have_count(entries)
    for subscriber in ("Service 2", "Service 3"):
        received = log_entries(page).filter(has_text=f"{subscriber} received {EVENT_TYPE}")
        expect(received).to_have_count(1)

    button(page, "Edit").click()  # back to the same picture, editable again
    expect(node(page, "Service 3")).to_be_visible()
    expect(button(page, "Add service")).to_be_visible()


class Keyboard:
    """Drives the page with key presses only, and counts them."""

    NAME = """() => {
      const el = document.activeElement;
      return (el.getAttribute("aria-label") || el.labels?.[0]?.textContent
              || el.textContent || "").trim();
    }"""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.presses = 0

    def press(self, key: str, times: int = 1) -> None:
        for _ in range(times):
            self.page.keyboard.press(key)
            self.presses += 1

    def type(self, text: str) -> None:
        self.page.keyboard.type(text)
        self.presses += len(text)

    def focused(self) -> str:
        name: str = self.page.evaluate(self.NAME)
        return name

    def tab_to(self, name: str, back: bool = False, limit: int = 60) -> None:
        """Tab (or Shift+Tab, ``back``) until the focused element's name starts with ``name``:
        what someone does who knows which way the control is."""
        for _ in range(limit):
            if self.focused().startswith(name):
                return
            self.press("Shift+Tab" if back else "Tab")
        raise AssertionError(f"never reached {name!r}; focus is on {self.focused()!r}")

    def choose(self, item: str) -> None:
        """In an open menu: arrow down to the item, then Enter."""
        for _ in range(20):
            if self.focused().startswith(item):
                self.press("Enter")
                return
            self.press("ArrowDown")
        raise AssertionError(f"no menu item {item!r}")


def test_building_it_with_the_keyboard_only(page: Page) -> None:
    open_editor(page)
    keys = Keyboard(page)
    # the palette reads Add service, Add queue, Add topic, Add client
    for kind, back in [
        ("Add client", False),
        ("Add queue", True),
        ("Add service", True),
        ("Add topic", False),
        ("Add service", True),
    ]:
        keys.tab_to(kind, back=back)
        keys.press("Enter")
    keys.press("Enter")  # a second subscriber
    expect(node(page, "Service 3")).to_have_attribute("aria-pressed", "true")

    def wire(source: str, target: str, back: bool = False) -> None:
        keys.tab_to(source, back=back)
        keys.press("c")  # "Connect to…", from the node itself
        keys.choose(target)
        # this wiring's sentence, not the one before (under load, that one is still shown)
        ends = rf"(?=.*\b{re.escape(source)}\b)(?=.*\b{re.escape(target)}\b)"
        expect(said(page)).to_contain_text(re.compile(rf"^Wired: {ends}"))
        assert keys.focused().startswith(source)  # back on the node the menu was opened from

    wire("Client 1", "Queue 1")
    wire("Queue 1", "Service 1")
    wire("Topic 1", "Service 2")
    wire("Topic 1", "Service 3")

    keys.tab_to("Client 1")
    keys.press("Enter")
    keys.tab_to("Message type")
    keys.press("Control+A")
    keys.type(ORDER_TYPE)
    keys.tab_to("Service 1", back=True)
    keys.press("Enter")
    keys.tab_to("Add handler")
    keys.press("Enter")
    keys.tab_to("Message type handled", back=True)
    keys.press("Control+A")
    keys.type(ORDER_TYPE)
    keys.press("Tab")  # the rename applies when the field is left
    wire("Service 1", "Topic 1", back=True)
    expect(said(page)).to_have_text(WIRED_EMIT)
    keys.tab_to("Message type handled")
    keys.press("Tab")
    keys.tab_to("Message type")  # the new emit's type, after the handler's own fields
    keys.press("Control+A")
    keys.type(EVENT_TYPE)

    keys.press("Control+Enter")  # Run, from where the learner is
    page.wait_for_selector('[data-ws="open"]')
    for _ in range(12):
        if log_entries(page).filter(has_text=f"received {EVENT_TYPE}").count() == 2:
            break
        entries = log_entries(page).count()
        keys.press("s")
        expect(log_entries(page)).not_to_have_count(entries)
    expect(log_entries(page).filter(has_text=f"received {EVENT_TYPE}")).to_have_count(2)
    print(f"\nkeyboard: {keys.presses} key presses to build, run and step the flow")


def nodes_of(page: Page) -> dict[str, dict[str, Any]]:
    return {n["id"]: n for n in document_of(page)["nodes"]}


def test_every_edit_can_be_undone_and_redone(page: Page) -> None:
    open_editor(page)
    states = [document_of(page)]  # the empty canvas, as exported

    def after(action: Callable[[], object]) -> None:
        action()
        expect(button(page, "Undo")).to_be_enabled()
        states.append(draft_of(page))
        assert states[-1] != states[-2], "the action changed nothing"

    after(lambda: button(page, "Add queue").click())
    after(lambda: button(page, "Add service").click())
    after(lambda: node(page, "Service 1").press("Shift+ArrowDown"))  # a move, by keyboard
    after(lambda: drag(page, node(page, "Queue 1"), page.locator(".diagram-svg")))  # by pointer
    after(lambda: drag(page, port(page, "queue-1"), node(page, "Service 1")))  # a wire

    def rename() -> None:
        node(page, "Service 1").click()
        field(page, "Label").fill("Worker")

    def delete() -> None:
        node(page, "Queue 1").click()
        node(page, "Queue 1").press("Delete")

    after(rename)  # a property
    after(delete)
    nodes = {n["id"]: n for n in states[-1]["nodes"]}
    assert "queue-1" not in nodes and nodes["service-1"].get("consumes") == []

    for state in reversed(states[:-1]):  # Undo, all the way back
        button(page, "Undo").click()
        assert draft_of(page) == state
    expect(button(page, "Undo")).to_be_disabled()
    for state in states[1:]:  # and Redo with the keyboard shortcuts
        page.keyboard.press("Control+Y" if len(state["nodes"]) % 2 else "Control+Shift+Z")
        assert draft_of(page) == state
    page.keyboard.press("Control+Z")
    assert document_of(page) == states[-2]  # and what Export gives is that document


def test_save_share_run_and_edit_a_copy_without_changing_the_original(
    page: Page, live_daphne: str
) -> None:
    open_editor(page, "?scenario=order-flow")
    button(page, "Save").click()
    link = page.locator("[data-editor=share] a")
    expect(link).to_contain_text("/sim/t/")
    first = link.get_attribute("href")
    assert first is not None

    shared = page.context.new_page()
    shared.goto(first)
    expect(shared.locator("h1")).to_have_text("Order flow")
    shared.wait_for_selector('[data-ws="open"]')
    button(shared, "Step").click()
    expect(log_entries(shared)).to_have_count(1)
    shared.get_by_role("link", name="Edit a copy").click()
    expect(shared.locator("[data-editor=run-why]")).to_have_text("Ready to run.")
    field(shared, "Name").fill("Order flow, with a twist")
    button(shared, "Save").click()
    second = shared.locator("[data-editor=share] a")
    expect(second).to_contain_text("/sim/t/")
    assert second.get_attribute("href") != first

    shared.goto(first)  # the first link still shows the topology as it was saved
    expect(shared.locator("h1")).to_have_text("Order flow")
    shared.close()


def test_export_then_import_gives_the_identical_topology(page: Page, tmp_path: Path) -> None:
    open_editor(page, "?scenario=saga-choreography")
    exported = document_of(page)
    saved = tmp_path / "saga.json"
    saved.write_text(json.dumps(exported))
    button(page, "New").click()
    expect(diagram(page).locator("[data-node]")).to_have_count(0)

    page.get_by_label("Import JSON").set_input_files(saved)

    expect(said(page)).to_have_text(f"Imported saga.json: {len(exported['nodes'])} nodes.")
    assert document_of(page) == exported  # positions included

    button(page, "New").click()
    drop_file(page, "dropped.json", json.dumps(exported))  # onto the canvas
    expect(said(page)).to_have_text(f"Imported dropped.json: {len(exported['nodes'])} nodes.")
    assert document_of(page) == exported


def drop_file(page: Page, name: str, text: str) -> None:
    """What the browser does when a file is dragged from the desktop onto the canvas."""
    diagram(page).evaluate(
        """(canvas, [name, text]) => {
          const files = new DataTransfer();
          files.items.add(new File([text], name, { type: "application/json" }));
          for (const type of ["dragenter", "dragover", "drop"]) {
            canvas.dispatchEvent(
              new DragEvent(type, { dataTransfer: files, bubbles: true, cancelable: true }),
            );
          }
        }""",
        [name, text],
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{ not json", "bad.json is not JSON"),
        ("[1, 2]", "a topology must be a JSON object"),
        (
            json.dumps({"schema": "msglab/topology@1", "name": "x", "nodes": [{"id": "q"}]}),
            "nodes[0]",
        ),
        (
            json.dumps(
                {
                    "schema": "msglab/topology@1",
                    "name": "x",
                    "nodes": [{"id": "s", "kind": "service", "consumes": ["nowhere"]}],
                }
            ),
            "nodes[0].consumes[0]: unknown node 'nowhere'",
        ),
        ("x" * (65 * 1024), "bad.json is 65 KB; a topology may be at most 64 KB"),
    ],
    ids=["not json", "not an object", "no kind", "dangling reference", "too big"],
)
def test_a_bad_file_is_refused_with_its_messages_and_the_canvas_stays_as_it_was(
    page: Page, tmp_path: Path, content: str, message: str
) -> None:
    open_editor(page, "?scenario=order-flow")
    before = document_of(page)
    bad = tmp_path / "bad.json"
    bad.write_text(content)

    page.get_by_label("Import JSON").set_input_files(bad)

    refusal = page.locator("[data-editor=refusal]")
    expect(refusal).to_contain_text("bad.json was not imported")
    expect(refusal).to_contain_text(message)
    assert document_of(page) == before


HOSTILE_LABEL = "<img src=x onerror=alert(1)>"
HOSTILE_TYPE = "</script><script>alert(1)</script>"


def test_hostile_text_stays_text_in_the_page_the_svg_the_log_the_inspector_and_the_export(
    page: Page,
) -> None:
    dialogs: list[str] = []

    def answer(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", answer)
    open_editor(page, "?scenario=order-flow")
    node(page, "Order Service").click()
    field(page, "Label").fill(HOSTILE_LABEL)
    node(page, "API Gateway").click()
    field(page, "Payload (JSON object)").fill(json.dumps({"note": HOSTILE_TYPE}))
    field(page, "Message type").fill(HOSTILE_TYPE)  # not a type: the engine says so
    problems = page.locator("[data-editor=problems]")
    expect(problems).to_contain_text("starts with a letter")
    field(page, "Message type").fill(ORDER_TYPE)
    expect(button(page, "Run")).to_be_enabled()

    button(page, "Run").click()
    page.wait_for_selector('[data-ws="open"]')
    for _ in range(3):
        button(page, "Step").click()
    expect(log_entries(page).filter(has_text=HOSTILE_LABEL)).not_to_have_count(0)
    log_entries(page).first.get_by_role("button").click()
    expect(page.locator("[data-sim=inspector]")).to_contain_text(HOSTILE_TYPE)
    button(page, "Edit").click()
    exported = document_of(page)

    assert nodes_of(page)["orders"]["label"] == HOSTILE_LABEL
    assert exported["nodes"][0]["sends"][0]["message"]["payload"] == {"note": HOSTILE_TYPE}
    assert page.locator("img[src=x], script:not([src]):not([type])").count() == 0
    assert page.evaluate("document.querySelectorAll('svg img, svg script').length") == 0
    assert dialogs == []


def test_a_problem_is_marked_on_its_node_and_its_link_opens_the_field_it_names(
    page: Page,
) -> None:
    open_editor(page, "?scenario=order-flow")
    node(page, "order.commands").click()
    field(page, "Max deliveries").fill("0")  # a queue delivers each message at least once

    expect(node(page, "order.commands")).to_have_attribute("aria-label", re.compile("1 problem"))
    expect(diagram(page).locator(".node-problem")).to_have_count(1)
    expect(button(page, "Run")).to_be_disabled()
    expect(page.locator("#run-why")).to_have_text(
        "Cannot run yet: fix 1 problem first (see Problems)."
    )
    node(page, "API Gateway").click()  # the form now shows another node
    problem = page.locator("[data-editor=problems]").get_by_role("button")
    expect(problem).to_have_text(re.compile(r"^Problem · order\.commands: "))
    problem.click()

    expect(field(page, "Max deliveries")).to_be_focused()
    expect(page.locator("#properties-heading")).to_have_text("Properties of order.commands")
