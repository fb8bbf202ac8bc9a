from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_POST, require_safe
from django_htmx.middleware import HtmxDetails

from simulator import explain, topologies
from simulator.engine import Topology, topology_json_schema
from simulator.engine.layout import layout
from simulator.live.protocol import client_frame_schema
from simulator.scenarios import Scenario, ScenarioNotFound, list_scenarios, load_scenario


class HtmxHttpRequest(HttpRequest):
    """An HttpRequest after django-htmx's middleware has added `request.htmx`."""

    htmx: HtmxDetails


def _json(data: Any, content_type: str = "application/json", status: int = 200) -> JsonResponse:
    # Indented: people read these documents in the browser while learning the format.
    return JsonResponse(
        data,
        content_type=content_type,
        status=status,
        json_dumps_params={"indent": 2, "ensure_ascii": False},
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
    return _run_page(
        request,
        scenario.topology,
        ws_query=f"scenario={slug}",
        edit_query=f"scenario={slug}",
        code_url=f"/sim/{slug}/code/",
        present_source=f"scenario:{slug}",
    )


@require_safe
def shared_page(request: HtmxHttpRequest, topology_id: str) -> HttpResponse:
    """A saved topology, read-only: run it, download it, or edit a copy of it."""
    return _run_page(
        request,
        _saved_or_404(topology_id),
        ws_query=f"topology={topology_id}",
        edit_query=f"copy={topology_id}",
        download=f"/sim/t/{topology_id}.json",
        code_url=f"/sim/t/{topology_id}/code/",
        present_source=f"topology:{topology_id}",
    )


def _run_page(
    request: HtmxHttpRequest,
    topology: Topology,
    *,
    ws_query: str,
    edit_query: str,
    download: str | None = None,
    code_url: str | None = None,
    present_source: str = "",
) -> HttpResponse:
    context = {
        "topology": topology,
        "ws_url": f"/ws/sim/?{ws_query}",
        "edit_url": f"/sim/?{edit_query}",
        "download": download,
        "code_url": code_url,
        "inject": send_another(topology),
        "present_source": present_source,
    }
    return render(request, "simulator/sim.html", context)


def _saved_or_404(topology_id: str) -> Topology:
    topology = topologies.load(topology_id, drafts=False)
    if topology is None:
        raise Http404(f"No saved topology {topology_id!r}")
    return topology


@require_safe
def editor(request: HtmxHttpRequest) -> HttpResponse:
    """The canvas editor: empty, or a copy of a scenario (`?scenario=`) or of a saved topology
    (`?copy=`) to change."""
    start: dict[str, Any] | None = None
    if slug := request.GET.get("scenario"):
        start = editable(_scenario_or_404(slug).topology)
    elif topology_id := request.GET.get("copy"):
        start = editable(_saved_or_404(topology_id))
    return render(request, "simulator/editor.html", {"start": start, "scenarios": list_scenarios()})


def editable(topology: Topology) -> dict[str, Any]:
    """The document the editor starts from: as written (no defaults spelled out), with every
    node placed, so that editing and running show the same picture."""
    document: dict[str, Any] = topology.spec.model_dump(
        mode="json", by_alias=True, exclude_defaults=True
    )
    placed = layout(topology)
    for node in document["nodes"]:
        node.setdefault("position", placed[node["id"]])
    return document


@require_safe
def shared_json(request: HttpRequest, topology_id: str) -> HttpResponse:
    """A saved topology as a topology v1 file, to download."""
    response = _json(editable(_saved_or_404(topology_id)))
    response["Content-Disposition"] = f'attachment; filename="{topology_id}.json"'
    return response


# ---- the editor's requests: JSON in, JSON out, CSRF-checked like every POST -------------------


@require_POST
def check_topology(request: HttpRequest) -> JsonResponse:
    """Problems, warnings and a layout for the document being edited (200 even with problems:
    the answer is the check)."""
    return _json(topologies.report(request.body))


@require_POST
def fix_topology(request: HttpRequest) -> JsonResponse:
    """The misuse checker's one-click fix: ``{"document", "warning": {path, code, message}}``
    in, ``{"document", "label"}`` out, the document with that warning fixed (docs/topology.md);
    400 with problems naming the field otherwise."""
    try:
        return _json(explain.fixed(topologies.parse(request.body)))
    except (topologies.Refused, explain.CannotFix) as refused:
        return _json({"problems": refused.problems}, status=400)


@require_POST
def run_topology(request: HttpRequest) -> JsonResponse:
    """Keep the document as a draft and say where the live stream runs it."""
    return _stored(request, save=False, answer=lambda id_: {"ws_url": f"/ws/sim/?topology={id_}"})


@require_POST
def save_topology(request: HttpRequest) -> JsonResponse:
    """Save the document for good; saving the same topology again gives the same link."""

    def links(id_: str) -> dict[str, str]:
        path = f"/sim/t/{id_}/"
        return {"path": path, "url": request.build_absolute_uri(path)}

    return _stored(request, save=True, answer=links)


def _stored(
    request: HttpRequest, *, save: bool, answer: Callable[[str], dict[str, str]]
) -> JsonResponse:
    try:
        row = topologies.store(topologies.check(topologies.parse(request.body)), save=save)
    except topologies.Refused as refused:
        return _json({"problems": refused.problems}, status=400)
    return _json({"id": row.id, **answer(row.id)}, status=201)


def send_another(topology: Topology) -> dict[str, Any] | None:
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
