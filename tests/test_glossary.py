"""The glossary: lessons/glossary.toml loads, its cross-references hold, and /glossary/ shows
every term under its own anchor, with definitions rendered from Markdown and never as HTML."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client
from django.utils.html import escape
from playwright.sync_api import Page, expect
from pytest_django.asserts import assertContains, assertTemplateUsed

from lessons.glossary import GlossaryError, load_glossary
from lessons.views_pages import entries, render_definition, sort_key
from tests.browser import serious_violations

# The course's vocabulary: every one of these has an entry (by slug).
REQUIRED = {
    "message", "envelope", "command", "event", "query", "reply", "document-message", "payload",
    "headers", "message-id", "correlation-id", "causation-id", "channel", "queue", "topic",
    "publisher", "subscriber", "consumer", "competing-consumers", "broker", "request-reply",
    "synchronous-call", "asynchronous-messaging", "temporal-coupling", "retry", "max-deliveries",
    "dead-letter-queue", "poison-message", "at-least-once-delivery", "at-most-once-delivery",
    "exactly-once", "duplicate", "idempotent-consumer", "idempotency-key", "saga", "choreography",
    "orchestration", "compensating-action", "cqrs", "read-model", "projection",
    "event-notification", "event-carried-state-transfer", "event-sourcing",
    "transactional-outbox", "dual-write", "outbox-relay", "command-pattern",
    "event-driven-architecture", "fan-out", "back-pressure", "eventual-consistency",
}  # fmt: skip

# Words too everyday to be linked wherever a lesson uses them.
TOO_GENERIC = {"service", "services", "node", "nodes", "system", "systems", "data", "type", "id"}


def sentences(markdown: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", " ".join(markdown.split())) if s]


def test_the_glossary_file_loads_and_defines_every_term_the_course_uses() -> None:
    glossary = load_glossary()

    slugs = {term.slug for term in glossary.terms}
    assert slugs >= REQUIRED, sorted(REQUIRED - slugs)


def test_every_definition_is_one_to_three_sentences() -> None:
    for term in load_glossary().terms:
        assert 1 <= len(sentences(term.definition)) <= 3, (term.slug, sentences(term.definition))


def test_every_see_also_names_another_term_of_the_glossary() -> None:
    glossary = load_glossary()
    slugs = {term.slug for term in glossary.terms}

    for term in glossary.terms:
        assert set(term.see) <= slugs, term.slug
        assert term.slug not in term.see, term.slug
        assert len(set(term.see)) == len(term.see), term.slug


def test_the_aliases_hold_the_forms_running_text_uses_and_no_everyday_word() -> None:
    glossary = load_glossary()
    by_form = glossary.by_form()

    assert by_form["messages"].slug == "message"
    assert by_form["dlq"].slug == "dead-letter-queue"
    assert by_form["dead-letter queues"].slug == "dead-letter-queue"
    assert by_form["publish-subscribe"].slug == "topic"
    assert by_form["point-to-point"].slug == "queue"
    assert set(by_form) & TOO_GENERIC == set()


def test_the_longest_form_wins_where_forms_overlap() -> None:
    pattern = load_glossary().pattern()

    found = pattern.findall("A dead-letter queue, an event notification, an idempotent consumer.")

    assert found == ["dead-letter queue", "event notification", "idempotent consumer"]


def test_a_glossary_file_with_a_see_to_nowhere_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "glossary.toml"
    path.write_text(
        '[[terms]]\nslug = "saga"\nterm = "Saga"\ndefinition = "Steps."\nsee = ["nowhere"]\n',
        encoding="utf-8",
    )

    with pytest.raises(GlossaryError, match="nowhere"):
        load_glossary(path)


def test_a_blank_alias_is_refused_since_it_would_match_everywhere(tmp_path: Path) -> None:
    path = tmp_path / "glossary.toml"
    path.write_text(
        '[[terms]]\nslug = "saga"\nterm = "Saga"\naliases = [""]\ndefinition = "Steps."\n',
        encoding="utf-8",
    )

    with pytest.raises(GlossaryError):
        load_glossary(path)


def test_a_definition_is_rendered_from_markdown_and_html_written_in_it_is_escaped(
    tmp_path: Path,
) -> None:
    path = tmp_path / "glossary.toml"
    path.write_text(
        """
[[terms]]
slug = "outbox"
term = "Outbox"
definition = '''Saves `OrderPlacedEvent` with the order, **in one transaction**.
<script>alert(1)</script> <b onclick=x>bold?</b>'''
see = ["relay"]

[[terms]]
slug = "relay"
term = "Relay"
definition = "Publishes what the outbox saved."
""",
        encoding="utf-8",
    )

    outbox, relay = entries(load_glossary(path))

    html = str(outbox.definition)
    assert "<code>OrderPlacedEvent</code>" in html
    assert "<strong>in one transaction</strong>" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b onclick=x&gt;" in html
    assert "<script" not in html and "<b " not in html
    assert outbox.see == [("relay", "Relay")]
    assert relay.see == []


def test_a_markdown_link_cannot_run_script() -> None:
    html = render_definition("[click](javascript:alert(1)) and [ok](#saga)")

    assert 'href="javascript' not in html  # left as text, not made a link
    assert '<a href="#saga">ok</a>' in html


def test_the_glossary_page_lists_every_term_under_its_anchor_in_alphabetical_order(
    client: Client,
) -> None:
    glossary = load_glossary()

    response = client.get("/glossary/")

    assert response.status_code == 200
    assertTemplateUsed(response, "lessons/glossary.html")
    html = response.content.decode()
    positions = []
    for term in glossary.terms:
        tag = f'<dt id="{term.slug}">{escape(term.term)}</dt>'
        assert html.count(tag) == 1, tag
        positions.append((sort_key(term.term), html.index(tag)))
    assert [p for _, p in sorted(positions)] == sorted(p for _, p in positions)


def test_the_glossary_page_has_one_h1_and_an_a_to_z_that_leads_to_its_letters(
    client: Client,
) -> None:
    html = client.get("/glossary/").content.decode()

    assert len(re.findall(r"<h1[\s>]", html)) == 1
    assertContains(client.get("/glossary/"), '<nav class="az" aria-label="Glossary from A to Z">')
    first_letters = {term.term[0].upper() for term in load_glossary().terms}
    for letter in first_letters:
        assert f'<a href="#letter-{letter.lower()}">{letter}</a>' in html
        assert f'<h2 id="letter-{letter.lower()}">{letter}</h2>' in html


def test_every_link_within_the_glossary_page_leads_to_an_anchor_on_it(client: Client) -> None:
    html = client.get("/glossary/").content.decode()

    ids = set(re.findall(r'\bid="([^"]+)"', html))
    targets = set(re.findall(r'href="#([^"]+)"', html))
    assert targets - ids == set()
    for term in load_glossary().terms:
        for slug in term.see:
            assert f'href="#{slug}"' in html


def test_the_glossary_page_shows_each_terms_aliases(client: Client) -> None:
    response = client.get("/glossary/")

    assertContains(response, "dead-letter queues, DLQ, DLQs, dead-letter, dead-lettered")


def test_the_glossary_page_has_no_inline_style_or_script(client: Client) -> None:
    html = client.get("/glossary/").content.decode()

    assert " style=" not in html and "<style" not in html
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []


def test_every_page_links_the_glossary_and_the_cheat_sheet_from_its_footer(
    client: Client,
) -> None:
    for path in ("/", "/glossary/", "/sim/order-flow/"):
        html = client.get(path).content.decode()
        footer = html[html.index('<footer class="site-footer">') :]
        nav = footer[footer.index('<nav class="footer-nav" aria-label="Reference">') :]
        nav = nav[: nav.index("</nav>")]
        assert '<a href="/glossary/">Glossary</a>' in nav, path
        assert '<a href="/cheat-sheet/">Cheat sheet</a>' in nav, path


@pytest.mark.browser
def test_a_see_also_link_moves_to_its_term(page: Page, live_daphne: str) -> None:
    page.goto("/glossary/#saga")
    entry = page.locator(".glossary-entry", has=page.locator("dt#saga"))

    entry.get_by_role("link", name="Compensating action").click()

    expect(page).to_have_url(re.compile(r"/glossary/#compensating-action$"))
    expect(page.locator("dt#compensating-action")).to_be_in_viewport()


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_glossary_page_has_no_serious_accessibility_violations(
    page: Page, axe_url: str, scheme: str
) -> None:
    page.emulate_media(color_scheme="dark" if scheme == "dark" else "light")
    page.goto("/glossary/#idempotent-consumer")

    assert serious_violations(page, axe_url) == []


@pytest.mark.browser
def test_the_glossary_page_is_no_wider_than_a_phone(page: Page, live_daphne: str) -> None:
    page.set_viewport_size({"width": 375, "height": 812})
    page.goto("/glossary/")

    assert page.evaluate("document.documentElement.scrollWidth") <= 375
