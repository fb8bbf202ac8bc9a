"""The run's Sequence and Causation tabs, in a real Chromium on Daphne, checked against the engine.

Each count comes from the engine itself: the same scenario run by `Simulation` in the test, so
the views are held to what the run really did, not to numbers copied here.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from simulator.engine import Simulation
from simulator.exports import export
from simulator.scenarios import load_scenario
from tests.browser import button, open_sim, serious_violations

pytestmark = pytest.mark.browser

FINISHED = re.compile(r"Simulated time .* · finished")


# ---- the engine's side ---------------------------------------------------------------------------


def engine(slug: str, steps: int | None = None) -> Simulation:
    """``slug`` run by the engine: to the end, or ``steps`` engine steps."""
    sim = Simulation(load_scenario(slug).topology)
    if steps is None:
        sim.run()
    else:
        for _ in range(steps):
            sim.step()
    return sim


def labels(slug: str) -> dict[str, str]:
    return {node.id: node.label or node.id for node in load_scenario(slug).topology.nodes}


def hops(sim: Simulation) -> list[dict[str, Any]]:
    return [record for record in sim.trace() if record["event"] == "hop"]


def arrow_names(slug: str, sim: Simulation) -> list[str]:
    """Each hop's arrow, named as the Sequence tab names it."""
    label = labels(slug)
    return [
        f"{r['message']['type']} from {label[r['from']]} to {label[r['to']]}, record {r['seq']}"
        for r in hops(sim)
    ]


# ---- the page's side -----------------------------------------------------------------------------


def tab(page: Page, name: str) -> Locator:
    return page.get_by_role("tab", name=name, exact=True)


def panel(page: Page, name: str) -> Locator:
    return page.get_by_role("tabpanel", name=name)


def arrows(page: Page) -> Locator:
    """The hop arrows drawn (the view draws the rows in its viewport, and a margin)."""
    return panel(page, "Sequence").get_by_role("button", name=re.compile(r" from .+, record \d+$"))


def message_nodes(page: Page) -> Locator:
    return panel(page, "Causation").locator(".cause-node")


def words(node: Locator) -> Locator:
    """What a causation node shows: the words drawn over its button (which has them as its name)."""
    return node.locator("xpath=..").locator(".cause-words")


def play_to_the_end(page: Page) -> None:
    page.get_by_label("Speed").fill("8")  # one socket, in order: the run is fast before it plays
    button(page, "Play").click()
    expect(page.get_by_text(FINISHED)).to_be_visible(timeout=30_000)


def step(page: Page, times: int) -> None:
    for _ in range(times):
        before = page.locator('[data-sim="clock"]').text_content()
        button(page, "Step").click()
        expect(page.locator('[data-sim="clock"]')).not_to_have_text(before or "")


def inspector(page: Page) -> Locator:
    return page.get_by_role("region", name="Inspector")


# ---- the sequence diagram ------------------------------------------------------------------------


def test_the_sequence_tab_draws_an_arrow_per_hop_between_a_lifeline_per_node(
    page: Page, live_daphne: str
) -> None:
    sim = engine("order-flow")
    open_sim(page)
    play_to_the_end(page)

    tab(page, "Sequence").click()

    expect(panel(page, "Sequence")).to_be_visible()
    expect(panel(page, "Diagram")).to_be_hidden()
    expect(arrows(page)).to_have_count(len(hops(sim)))
    drawn = arrows(page).evaluate_all("els => els.map(el => el.getAttribute('aria-label'))")
    assert drawn == arrow_names("order-flow", sim)
    lifelines = panel(page, "Sequence").get_by_role("list", name="Lifelines, left to right")
    ids = lifelines.get_by_role("listitem").evaluate_all(
        "els => els.map(el => el.dataset.lifeline)"
    )
    appear = {r[end] for r in hops(sim) for end in ("from", "to")}
    assert sorted(ids) == sorted(labels("order-flow"))  # a lifeline per node, each once
    assert appear <= set(ids)
    # left to right as on the diagram: the gateway first, the invoice service last
    assert (ids[0], ids[-1]) == ("gateway", "invoices")


def test_commands_are_solid_and_events_dashed_each_starting_with_its_kinds_shape(
    page: Page, live_daphne: str
) -> None:
    open_sim(page)
    play_to_the_end(page)
    tab(page, "Sequence").click()
    expect(arrows(page).first).to_be_visible()

    style = page.evaluate(
        """() => Object.fromEntries(["command", "event"].map(kind => {
             const row = document.querySelector(`.seq-arrow[data-kind=${kind}]`);
             const line = row.querySelector(".seq-line");
             const start = line.getAttribute("marker-start").slice(5, -1);
             return [kind, {dash: getComputedStyle(line).strokeDasharray,
                            shape: document.getElementById(start).querySelector("path")
                                     .getAttribute("d")}];
           }))"""
    )
    assert style["command"]["dash"] == "none"
    assert style["event"]["dash"] != "none"
    assert style["command"]["shape"] != style["event"]["shape"]


def test_the_sequence_grows_as_the_run_steps_and_step_back_takes_the_last_arrow_away(
    page: Page, live_daphne: str
) -> None:
    open_sim(page)
    tab(page, "Sequence").click()
    expect(panel(page, "Sequence").get_by_text("No messages yet")).to_be_visible()

    step(page, 5)
    expect(arrows(page)).to_have_count(len(hops(engine("order-flow", 5))))
    step(page, 2)
    sim = engine("order-flow", 7)
    expect(arrows(page)).to_have_count(len(hops(sim)))
    before = len(hops(sim))

    button(page, "Step back").click()
    sim.back()
    expect(page.locator('[data-sim="clock"]')).to_contain_text(re.compile(rf"record {sim.seq}$"))
    assert len(hops(sim)) == before - 1  # the step taken back sent a message
    expect(arrows(page)).to_have_count(len(hops(sim)))
    drawn = arrows(page).evaluate_all("els => els.map(el => el.getAttribute('aria-label'))")
    assert drawn == arrow_names("order-flow", sim)


def test_step_back_and_a_timeline_seek_at_the_end_of_a_run_redraw_the_sequence(
    page: Page, live_daphne: str
) -> None:
    sim = engine("order-flow")
    open_sim(page)
    play_to_the_end(page)
    tab(page, "Sequence").click()
    expect(arrows(page)).to_have_count(len(hops(sim)))

    for _ in range(2):  # the last step only handled a message; the one before sent one
        button(page, "Step back").click()
        sim.back()
        clock = re.compile(rf"record {sim.seq}$")
        expect(page.locator('[data-sim="clock"]')).to_contain_text(clock)
    assert len(hops(sim)) == len(hops(engine("order-flow"))) - 1
    expect(arrows(page)).to_have_count(len(hops(sim)))
    expect(arrows(page).last).to_have_accessible_name(arrow_names("order-flow", sim)[-1])

    page.get_by_role("slider", name="Timeline").fill("5")
    sim.seek(5)
    expect(page.locator('[data-sim="clock"]')).to_contain_text(re.compile(r"record 5$"))
    expect(arrows(page)).to_have_count(len(hops(sim)))
    assert len(hops(sim)) == 4  # the seek really took arrows away
    expect(arrows(page).last).to_have_accessible_name(arrow_names("order-flow", sim)[-1])


def test_clicking_an_arrow_opens_its_message_in_the_inspector_and_marks_its_arrows(
    page: Page, live_daphne: str
) -> None:
    open_sim(page)
    play_to_the_end(page)
    tab(page, "Sequence").click()
    published = arrows(page).filter(has_text="OrderCreatedEvent")
    expect(published).to_have_count(4)  # to the topic, then a copy to each of three subscribers

    published.nth(2).click()

    expect(inspector(page)).to_contain_text(re.compile(r"Message id\s*m2"))
    expect(inspector(page)).to_contain_text("OrderCreatedEvent")
    selected = panel(page, "Sequence").locator(".seq-row.is-selected")
    expect(selected).to_have_count(4)  # every hop of m2
    assert set(selected.evaluate_all("els => els.map(el => el.dataset.message)")) == {"m2"}


def test_the_keyboard_reaches_the_tabs_moves_between_them_and_selects_an_arrow_with_enter(
    page: Page, live_daphne: str
) -> None:
    open_sim(page)
    play_to_the_end(page)
    page.get_by_role("slider", name="Timeline").focus()

    page.keyboard.press("Tab")
    expect(tab(page, "Diagram")).to_be_focused()
    page.keyboard.press("ArrowRight")
    expect(tab(page, "Sequence")).to_be_focused()
    expect(tab(page, "Sequence")).to_have_attribute("aria-selected", "true")
    expect(panel(page, "Sequence")).to_be_visible()
    expect(panel(page, "Diagram")).to_be_hidden()
    page.keyboard.press("ArrowRight")
    expect(tab(page, "Causation")).to_have_attribute("aria-selected", "true")
    page.keyboard.press("ArrowRight")  # round to the first
    expect(tab(page, "Diagram")).to_have_attribute("aria-selected", "true")
    page.keyboard.press("End")
    page.keyboard.press("ArrowLeft")
    expect(tab(page, "Sequence")).to_be_focused()
    expect(arrows(page).last).to_be_visible()

    # past the download buttons, one row of the diagram is in the Tab order: the newest
    for _ in range(6):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.matches('.seq-row')"):
            break
    names = arrow_names("order-flow", engine("order-flow"))
    expect(page.locator(".seq-row:focus")).to_have_accessible_name(names[-1])
    page.keyboard.press("ArrowUp")
    expect(page.locator(".seq-row:focus")).to_have_accessible_name(names[-2])
    page.keyboard.press("Enter")

    focused = page.locator(".seq-row:focus")
    message = focused.get_attribute("data-message")
    assert message
    expect(inspector(page)).to_contain_text(re.compile(rf"Message id\s*{message}(?!\d)"))
    expect(focused).to_have_class(re.compile(r"\bis-selected\b"))


def test_a_long_run_keeps_only_the_rows_in_view_and_reaches_the_first_by_scrolling(
    page: Page, live_daphne: str
) -> None:
    open_sim(page)
    tab(page, "Sequence").click()
    orders = 34  # each order makes 16 records: 35 of them, 560 in all
    send = page.get_by_role("button", name=re.compile(r"^Send another"))
    for _ in range(orders):
        send.click()
        page.wait_for_timeout(60)  # the server takes 20 frames a second
    play_to_the_end(page)
    sequence = panel(page, "Sequence").locator("[data-arrows]")
    expect(sequence).to_have_attribute("data-arrows", str(10 * (orders + 1)))

    rows = panel(page, "Sequence").locator(".seq-row")
    seqs = rows.evaluate_all("els => els.map(el => Number(el.dataset.seq))")
    assert 0 < len(seqs) < 80  # a window, not 560 rows
    assert max(seqs) > 16 * orders  # at the newest rows: it followed the run
    panel(page, "Sequence").locator(".seq-scroller").evaluate("el => { el.scrollTop = 0; }")
    first = panel(page, "Sequence").get_by_role("button", name=re.compile(r", record 1$"))
    expect(first).to_be_visible()
    assert panel(page, "Sequence").locator(".seq-row").count() < 80


# ---- the causation graph -------------------------------------------------------------------------


def test_the_causation_tab_draws_a_node_per_message_an_edge_per_cause_and_a_box_per_conversation(
    page: Page, live_daphne: str
) -> None:
    sim = engine("order-flow")
    messages = {r["message"]["id"]: r["message"] for r in sim.trace() if r["message"]}
    caused = [m for m in messages.values() if m["causation_id"]]
    correlations = {m["correlation_id"] for m in messages.values()}
    open_sim(page)
    play_to_the_end(page)

    tab(page, "Causation").click()

    expect(message_nodes(page)).to_have_count(len(messages))
    ids = message_nodes(page).evaluate_all("els => els.map(el => el.dataset.message)")
    assert sorted(ids) == sorted(messages)
    edges = panel(page, "Causation").locator("[data-edge]")
    expect(edges).to_have_count(len(caused))
    assert sorted(edges.evaluate_all("els => els.map(el => el.dataset.edge)")) == sorted(
        f"{m['causation_id']}>{m['id']}" for m in caused
    )
    groups = panel(page, "Causation").locator("[data-correlation]")
    expect(groups).to_have_count(len(correlations))
    expect(groups.first.get_by_role("heading")).to_have_text("Order A123: PlaceOrderCommand")


def test_clicking_a_message_in_the_causation_graph_opens_it_in_the_inspector(
    page: Page, live_daphne: str
) -> None:
    open_sim(page)
    play_to_the_end(page)
    tab(page, "Causation").click()

    invoice = re.compile(r"^CreateInvoiceCommand")
    panel(page, "Causation").get_by_role("button", name=invoice).click()

    expect(inspector(page)).to_contain_text("CreateInvoiceCommand")
    expect(panel(page, "Causation").locator(".cause-node.is-selected")).to_have_count(1)


def test_the_saga_graph_marks_the_failed_payment_and_its_compensating_branch(
    page: Page, live_daphne: str
) -> None:
    sim = engine("saga-choreography")
    failed = {r["message"]["id"] for r in sim.trace() if r["event"] == "failed"}
    assert failed  # the scenario's payment fails: the test means something
    open_sim(page, "saga-choreography")
    play_to_the_end(page)

    tab(page, "Causation").click()

    graph = panel(page, "Causation")
    marked = graph.locator(".cause-node.is-failed")
    expect(marked).to_have_count(len(failed))
    assert set(marked.evaluate_all("els => els.map(el => el.dataset.message)")) == failed
    expect(marked.first).to_have_accessible_name(re.compile(r"failed at Payment Service"))
    expect(words(marked.first)).to_contain_text("failed")
    # what the failure set off: PaymentFailedEvent, then the cancellation and the stock release
    branch = graph.locator(".cause-node.is-branch")
    names = branch.evaluate_all("els => els.map(el => el.getAttribute('aria-label'))")
    assert [name.split(" (")[0] for name in names] == [
        "PaymentFailedEvent",
        "OrderCancelledEvent",
        "StockReleasedEvent",
    ]
    expect(words(branch.first)).to_contain_text("on failure")
    expect(words(branch.last)).to_contain_text("failure branch")
    expect(graph.locator(".cause-edge.is-failure")).to_have_count(3)
    expect(graph.locator("[data-correlation]").first).to_contain_text("1 failed")


def test_on_a_projector_the_followed_saga_box_shows_its_top_edge_inside_the_graphs_frame(
    page: Page, live_daphne: str
) -> None:
    page.set_viewport_size({"width": 1366, "height": 768})
    open_sim(page, "saga-choreography")
    play_to_the_end(page)

    tab(page, "Causation").click()

    box = panel(page, "Causation").locator(".cause-group.has-failure")
    expect(box).to_contain_text("Order A123: PlaceOrderCommand")
    frame = panel(page, "Causation").locator(".cause-scroller")
    edges = frame.evaluate(
        """s => {const f = s.getBoundingClientRect(), b = s.querySelector(".cause-group")
                                                           .getBoundingClientRect();
                return {frame: f.top + s.clientTop, box: b.top,
                        frameBottom: f.top + s.clientTop + s.clientHeight, boxBottom: b.bottom,
                        scrolled: s.scrollTop}}"""
    )
    # the box is a little taller than the space once the graph scrolls to its newest messages
    assert edges["box"] >= edges["frame"], edges  # its dashed top border is not cut off
    assert edges["boxBottom"] <= edges["frameBottom"], edges


def test_the_sequence_marks_the_failure_and_the_drop_on_the_payment_lifeline(
    page: Page, live_daphne: str
) -> None:
    open_sim(page, "saga-choreography")
    play_to_the_end(page)
    tab(page, "Sequence").click()

    marks = panel(page, "Sequence").locator(".seq-mark")
    expect(marks).to_have_count(2)
    expect(marks.first).to_have_accessible_name(
        "failed: OrderPlacedEvent at Payment Service, record 8"
    )
    expect(marks.first).to_contain_text("failed: OrderPlacedEvent")
    expect(marks.last).to_contain_text("dropped: OrderPlacedEvent")


# ---- in the editor's Run mode --------------------------------------------------------------------


def test_the_editors_run_has_the_tabs_with_an_arrow_per_hop_and_edit_hides_them_again(
    page: Page, live_daphne: str
) -> None:
    slug = "saga-choreography"
    sim = engine(slug)
    messages = {r["message"]["id"] for r in sim.trace() if r["message"]}
    fetched: list[str] = []
    page.on("request", lambda request: fetched.append(request.url))
    page.goto(f"/sim/?scenario={slug}")
    page.evaluate("localStorage.clear()")  # no draft from an earlier test
    page.goto(f"/sim/?scenario={slug}")
    expect(page.locator("[data-editor=run-why]")).to_have_text("Ready to run.")
    views = page.get_by_role("tablist", name="Views of the run")
    expect(views).to_be_hidden()  # in Edit mode the canvas is the diagram
    assert not [url for url in fetched if "/run-views." in url]  # loaded by the first Run

    button(page, "Run").click()
    page.wait_for_selector('[data-ws="open"]')
    expect(views).to_be_visible()
    play_to_the_end(page)
    tab(page, "Sequence").click()

    expect(panel(page, "Sequence")).to_be_visible()
    expect(arrows(page)).to_have_count(len(hops(sim)))
    drawn = arrows(page).evaluate_all("els => els.map(el => el.getAttribute('aria-label'))")
    assert sorted(drawn) == sorted(arrow_names(slug, sim))  # rows are drawn as scrolled to
    tab(page, "Causation").click()
    expect(message_nodes(page)).to_have_count(len(messages))

    button(page, "Edit").click()

    expect(views).to_be_hidden()
    expect(page.locator('[data-sim="causation"]')).to_be_hidden()
    canvas = panel(page, "Diagram")  # the canvas, to edit again
    expect(canvas.get_by_role("button", name=re.compile(r"^Payment Service,"))).to_be_visible()
    button(page, "Run").click()  # the next run opens on its diagram
    expect(tab(page, "Diagram")).to_have_attribute("aria-selected", "true")
    expect(panel(page, "Diagram")).to_be_visible()


# ---- downloads -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("Download Mermaid", "mermaid"),
        ("Download SVG", "svg"),
        ("Download trace (JSON Lines)", "jsonl"),
    ],
)
def test_each_download_is_the_runs_export_from_the_server(
    page: Page, live_daphne: str, tmp_path: Path, name: str, fmt: Any
) -> None:
    scenario = load_scenario("order-flow")
    sim = engine("order-flow")
    made = export(scenario.topology, sim.trace(), fmt, scenario.topology.name)
    open_sim(page)
    play_to_the_end(page)
    tab(page, "Sequence").click()

    with page.expect_download() as download:
        button(page, name).click()

    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert download.value.suggested_filename == made.filename
    assert saved.read_text(encoding="utf-8") == made.text
    expect(panel(page, "Sequence").get_by_role("status")).to_contain_text(
        f"Downloaded {made.filename}"
    )


# ---- accessibility ------------------------------------------------------------------------------


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_sequence_and_causation_tabs_have_no_serious_violations(
    page: Page, axe_url: str, scheme: Any
) -> None:
    page.emulate_media(color_scheme=scheme)
    open_sim(page, "saga-choreography")  # with its failure marks and badges
    play_to_the_end(page)

    tab(page, "Sequence").click()
    arrows(page).nth(3).click()  # a selected arrow too
    expect(inspector(page)).to_contain_text("Message id")
    assert serious_violations(page, axe_url) == []

    tab(page, "Causation").click()
    expect(message_nodes(page).first).to_be_visible()
    assert serious_violations(page, axe_url) == []
