from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe
from django_htmx.middleware import HtmxDetails

from simulator.engine import Topology, topology_json_schema
from simulator.live.protocol import client_frame_schema
from simulator.scenarios import Scenario, ScenarioNotFound, list_scenarios, load_scenario


class HtmxHttpRequest(HttpRequest):
    """An HttpRequest after django-htmx's middleware has added `request.htmx`."""

    htmx: HtmxDetails


def _json(data: Any, content_type: str = "application/json") -> JsonResponse:
    # Indented: people read these documents in the browser while learning the format.
    return JsonResponse(
        data, content_type=content_type, json_dumps_params={"indent": 2, "ensure_ascii": False}
    )


def _scenario_or_404(slug: str) -> Scenario:
    try:
        return load_scenario(slug)
    except ScenarioNotFound:
        raise Http404(f"No scenario called {slug!r}") from None


@require_safe
def home(request: HtmxHttpRequest) -> HttpResponse:
    return render(request, "home.html", {"scenarios": list_scenarios()})


@require_safe
def simulator_page(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """The live simulator for one scenario; static/js/sim-page.js opens its WebSocket."""
    scenario = _scenario_or_404(slug)
    context = {"scenario": scenario, "inject": _send_another(scenario.topology)}
    return render(request, "simulator/sim.html", context)


@require_safe
def sandbox(request: HtmxHttpRequest) -> HttpResponse:
    """An empty canvas, and the scenarios to start from."""
    return render(request, "simulator/sandbox.html", {"scenarios": list_scenarios()})


def _send_another(topology: Topology) -> dict[str, Any] | None:
    """The "Send another …" control: the first client's first send, made again on demand."""
    for node in topology.nodes:
        if node.kind == "client" and node.sends:
            send, target = node.sends[0], topology.nodes[node.sends[0].to]
            what = "order" if "Order" in send.type else send.type
            return {
                "label": f"Send another {what}",
                "title": f"{node.label} sends another {send.type} to {target.label} (O)",
                "frame": {
                    "action": "inject",
                    "from": node.id,
                    "to": target.id,
                    "message": {
                        "type": send.type,
                        "kind": send.kind,
                        "payload": send.payload,
                        "headers": send.headers,
                    },
                },
            }
    return None


@require_safe
@cache_control(public=True, max_age=300)
def scenario_json(request: HttpRequest, slug: str) -> HttpResponse:
    """The scenario's topology file, byte for byte as authored (validated by load_scenario)."""
    return HttpResponse(_scenario_or_404(slug).path.read_bytes(), content_type="application/json")


@require_safe
@cache_control(public=True, max_age=3600)
def topology_schema(request: HttpRequest) -> JsonResponse:
    return _json(topology_json_schema(), content_type="application/schema+json")


@require_safe
@cache_control(public=True, max_age=3600)
def live_frames_schema(request: HttpRequest) -> JsonResponse:
    """What a live stream client may send (docs/protocol.md)."""
    return _json(client_frame_schema(), content_type="application/schema+json")
