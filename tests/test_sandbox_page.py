from __future__ import annotations

from django.test import Client
from pytest_django.asserts import assertContains, assertNotContains, assertTemplateUsed

from simulator.scenarios import list_scenarios


def test_the_sandbox_is_an_empty_canvas_with_the_scenarios_to_start_from(client: Client) -> None:
    response = client.get("/sim/")

    assert response.status_code == 200
    assertTemplateUsed(response, "simulator/sandbox.html")
    assertContains(response, "The canvas is empty")
    for scenario in list_scenarios():
        assertContains(response, f'href="/sim/{scenario.slug}/"')


def test_the_sandbox_opens_no_live_run(client: Client) -> None:
    response = client.get("/sim/")

    assertNotContains(response, "data-ws-url")


def test_the_home_page_links_to_the_sandbox(client: Client) -> None:
    assertContains(client.get("/"), 'href="/sim/"')
