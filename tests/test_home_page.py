from __future__ import annotations

import json
import re
from pathlib import Path

from django.test import Client
from django.utils.html import escape
from pytest_django.asserts import assertContains, assertTemplateUsed

from simulator.scenarios import list_scenarios

SCENARIO_DIR = Path(__file__).resolve().parent.parent / "simulator" / "scenarios"


def test_home_page_lists_every_built_in_scenario_by_name_and_description(client: Client) -> None:
    scenarios = list_scenarios()
    assert {scenario.slug for scenario in scenarios} >= {"order-flow"}

    response = client.get("/")

    assert response.status_code == 200
    assertTemplateUsed(response, "home.html")
    for scenario in scenarios:
        assertContains(response, f"<h3>{escape(scenario.name)}</h3>", html=False)
        assertContains(response, escape(scenario.description))


def test_home_page_shows_each_scenario_node_count_and_links_its_json(client: Client) -> None:
    response = client.get("/")

    for scenario in list_scenarios():
        count = len(scenario.topology.nodes)
        assertContains(response, f"{count} node{'' if count == 1 else 's'}")
        assertContains(response, f'href="/scenarios/{scenario.slug}.json"', count=1)


def test_home_page_explains_message_command_and_event(client: Client) -> None:
    response = client.get("/")

    for term in ("<dt>Message</dt>", "<dt>Command</dt>", "<dt>Event</dt>"):
        assertContains(response, term)
    assertContains(response, "The envelope.")
    assertContains(response, "“Do this.”")
    assertContains(response, "“This happened.”")


def test_scenario_json_is_the_scenario_file_as_authored(client: Client) -> None:
    on_disk = (SCENARIO_DIR / "order-flow.json").read_bytes()

    response = client.get("/scenarios/order-flow.json")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.content == on_disk
    served = json.loads(response.content)
    assert served["schema"] == "msglab/topology@1"
    assert served["name"] == "Order flow"
    assert served["nodes"][0]["id"] == "gateway"


def test_scenario_json_for_an_unknown_slug_is_404(client: Client) -> None:
    response = client.get("/scenarios/no-such-scenario.json")

    assert response.status_code == 404


def test_home_page_loads_htmx_from_its_own_origin(client: Client) -> None:
    html = client.get("/").content.decode()

    urls = re.findall(r'\b(?:src|href)="([^"]*)"', html)
    assert any(re.fullmatch(r"/static/django_htmx/htmx-2(\.min)?\.js", url) for url in urls), urls
    assert '<link rel="icon" href="/static/favicon.svg"' in html
    external = [url for url in urls if re.match(r"(?i)(https?:)?//", url)]
    assert external == []


def test_home_page_has_a_skip_link_to_main_and_sends_the_csrf_token_with_htmx(
    client: Client,
) -> None:
    html = client.get("/").content.decode()

    assert '<html lang="en">' in html
    assert '<a class="skip-link" href="#main">' in html
    assert '<main id="main"' in html
    assert re.search(r"""<body hx-headers='\{"X-CSRFToken": "[A-Za-z0-9]{64}"\}'>""", html)


def lead(html: str) -> str:
    """The text of the home page's first paragraph, tags removed, spaces collapsed."""
    paragraph = re.search(r'<p class="lead">(.*?)</p>', html, re.S)
    assert paragraph is not None
    return " ".join(re.sub(r"<[^>]+>", "", paragraph.group(1)).split())


def test_home_page_starts_by_saying_what_msglab_is_in_two_sentences(client: Client) -> None:
    html = client.get("/").content.decode()

    text = lead(html)
    sentences = re.split(r"(?<=[.!?])\s+", text)
    assert len(sentences) == 2, sentences
    assert text.startswith("msglab is ")
    assert html.index('<p class="lead">') < html.index('<nav class="offers"')


def test_home_page_offers_the_course_the_simulator_and_the_scenarios_as_buttons(
    client: Client,
) -> None:
    html = client.get("/").content.decode()

    offers = html[html.index('<nav class="offers" aria-label="Where to start">') :]
    offers = offers[: offers.index("</nav>")]
    buttons = re.findall(r'<a class="button-link[^"]*" href="([^"]+)">([^<]+)</a>', offers)
    assert buttons == [
        ("/lessons/", "Start the course"),
        ("/sim/order-flow/", "Open the simulator"),
        ("#scenarios-heading", "Browse the scenarios"),
    ]
    assert '<a class="button-link button-link--primary" href="/lessons/">' in offers
    assert html.count('id="scenarios-heading"') == 1
    # the offers come before everything else the page explains
    assert html.index('<nav class="offers"') < html.index('id="concepts-heading"')


def test_home_page_links_the_glossary_and_the_cheat_sheet_beside_its_offers(
    client: Client,
) -> None:
    html = client.get("/").content.decode()

    offers = html[html.index('<nav class="offers"') :]
    offers = offers[: offers.index("</nav>")]
    assert '<a href="/glossary/">glossary</a>' in offers
    assert '<a href="/cheat-sheet/">cheat sheet</a>' in offers
    assert client.get("/glossary/").status_code == 200
    assert client.get("/cheat-sheet/").status_code == 200
