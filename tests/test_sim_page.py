from __future__ import annotations

import re

from django.test import Client
from django.utils.html import escape
from pytest_django.asserts import assertContains, assertTemplateUsed

from simulator.live.protocol import Inject, parse_frame
from simulator.scenarios import list_scenarios, load_scenario


def test_sim_page_shows_the_scenario_by_name_and_description(client: Client) -> None:
    scenario = load_scenario("order-flow")

    response = client.get("/sim/order-flow/")

    assert response.status_code == 200
    assertTemplateUsed(response, "simulator/sim.html")
    assertContains(response, f"<h1>{escape(scenario.name)}</h1>")
    assertContains(response, escape(scenario.description))


def test_sim_page_names_the_scenarios_websocket_url(client: Client) -> None:
    response = client.get("/sim/order-flow/")

    assertContains(response, 'data-ws-url="/ws/sim/?scenario=order-flow"', count=1)


def test_sim_page_loads_its_script_as_a_module_from_static(client: Client) -> None:
    response = client.get("/sim/order-flow/")

    assertContains(
        response, '<script type="module" src="/static/js/sim-page.js"></script>', count=1
    )


def test_sim_page_message_log_is_silent_so_the_throttled_narrator_speaks(client: Client) -> None:
    html = client.get("/sim/order-flow/").content.decode()

    log = re.search(r'<[a-z]+ [^>]*aria-label="Message log"[^>]*>', html)
    assert log is not None and 'role="log"' in log[0] and 'aria-live="off"' in log[0], log


def test_sim_page_for_an_unknown_scenario_is_404(client: Client) -> None:
    response = client.get("/sim/no-such/")

    assert response.status_code == 404


def test_sim_page_refuses_a_post(client: Client) -> None:
    response = client.post("/sim/order-flow/")

    assert response.status_code == 405


def test_sim_page_loads_nothing_from_another_origin(client: Client) -> None:
    html = client.get("/sim/order-flow/").content.decode()

    urls = re.findall(r"""\b(?:src|href|data-ws-url)=["']([^"']*)["']""", html)
    assert "/static/js/sim-page.js" in urls
    external = [url for url in urls if re.match(r"(?i)([a-z][a-z0-9+.-]*:)?//", url)]
    assert external == []


def test_home_page_links_each_scenario_to_its_sim_page(client: Client) -> None:
    html = client.get("/").content.decode()
    listed = html[html.index('<ul class="scenarios"') :]

    for scenario in list_scenarios():
        assert listed.count(f'href="/sim/{scenario.slug}/"') == 1, scenario.slug


def test_send_another_order_repeats_the_first_clients_first_send(client: Client) -> None:
    response = client.get("/sim/order-flow/")

    assertContains(response, "Send another order")
    script = re.search(
        r'<script id="sim-inject" type="application/json">(.*?)</script>', response.content.decode()
    )
    assert script is not None
    frame = parse_frame(script[1])
    assert isinstance(frame, Inject)
    assert (frame.from_, frame.to, frame.message.type) == (
        "gateway",
        "order.commands",
        "PlaceOrderCommand",
    )
    assert frame.message.payload == {"orderId": "A123", "customerId": "C55", "totalAmount": 499.99}


def test_send_another_names_the_message_type_when_it_is_not_an_order(client: Client) -> None:
    response = client.get("/sim/request-reply/")

    topology = load_scenario("request-reply").topology
    client_node = next(n for n in topology.nodes if n.kind == "client")
    assertContains(response, f"Send another {client_node.sends[0].type}")
