"""The editor's page, /sim/, as the server renders it (tests/test_editor_in_browser.py uses it)."""

from __future__ import annotations

from django.test import Client
from pytest_django.asserts import assertContains, assertTemplateUsed

from simulator.scenarios import list_scenarios


def test_the_editor_offers_the_palette_and_every_scenario_to_start_from(client: Client) -> None:
    response = client.get("/sim/")

    assert response.status_code == 200
    assertTemplateUsed(response, "simulator/editor.html")
    for kind in ("service", "queue", "topic", "client"):
        assertContains(response, f'data-editor-add="{kind}">Add {kind}</button>', count=1)
    for scenario in list_scenarios():
        assertContains(response, f'href="/sim/?scenario={scenario.slug}"', count=1)


def test_the_editor_opens_no_live_run_until_run_is_pressed(client: Client) -> None:
    response = client.get("/sim/")

    assert b"data-ws-url" not in response.content
    assertContains(response, '<script type="module" src="/static/js/editor-page.js"></script>')


def test_every_scenario_page_offers_to_edit_a_copy(client: Client) -> None:
    for scenario in list_scenarios():
        response = client.get(f"/sim/{scenario.slug}/")
        assertContains(response, f'href="/sim/?scenario={scenario.slug}">Edit a copy</a>', count=1)


def test_an_unknown_scenario_to_copy_is_404(client: Client) -> None:
    assert client.get("/sim/?scenario=no-such").status_code == 404


def test_the_home_page_links_to_the_editor(client: Client) -> None:
    assertContains(client.get("/"), 'href="/sim/">Open the editor</a>')
