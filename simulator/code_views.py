"""Starter code for a topology (simulator.codegen): the same flow as Spring Boot and Python code,
to read with highlighting or to download (``?download=spring`` or ``?download=python``)."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name

from simulator import codegen
from simulator.engine import Topology
from simulator.views import HtmxHttpRequest, _saved_or_404, _scenario_or_404

_FORMATTER = HtmlFormatter(nowrap=True)  # classes, not inline styles: the CSP allows none

FLAVOUR_TEXT = {
    # flavour: (heading, name in the buttons, what it uses)
    "spring": (
        "Spring Boot (Java)",
        "Spring Boot",
        "Spring Boot 3 with spring-boot-starter-amqp (RabbitMQ) and spring-kafka (Kafka)",
    ),
    "python": (
        "Python (asyncio)",
        "Python",
        "Python with aio-pika (RabbitMQ) and aiokafka (Kafka): pip install aio-pika aiokafka",
    ),
}


@require_safe
def scenario_code(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """A built-in scenario's starter code."""
    return _code_page(request, _scenario_or_404(slug).topology, back=f"/sim/{slug}/")


@require_safe
def shared_code(request: HtmxHttpRequest, topology_id: str) -> HttpResponse:
    """A saved topology's starter code."""
    return _code_page(request, _saved_or_404(topology_id), back=f"/sim/t/{topology_id}/")


def _code_page(request: HtmxHttpRequest, topology: Topology, *, back: str) -> HttpResponse:
    wanted = request.GET.get("download")
    if wanted is not None:
        return _download(topology, wanted)
    flavours: list[dict[str, Any]] = []
    for flavour in codegen.FLAVOURS:
        generated = codegen.generate(topology, flavour)
        heading, name, uses = FLAVOUR_TEXT[flavour]
        flavours.append(
            {
                "id": flavour,
                "heading": heading,
                "name": name,
                "uses": uses,
                "filename": generated.filename,
                "language": generated.language,
                "lines": generated.text.count("\n"),
                "html": highlight(
                    generated.text, get_lexer_by_name(generated.language), _FORMATTER
                ),
            }
        )
    context = {"topology": topology, "back_url": back, "flavours": flavours}
    return render(request, "simulator/code.html", context)


def _download(topology: Topology, wanted: str) -> HttpResponse:
    for flavour in codegen.FLAVOURS:
        if flavour == wanted:
            generated = codegen.generate(topology, flavour)
            response = HttpResponse(generated.text, content_type=generated.media_type)
            # a filename of ASCII letters, digits and underscores only (simulator.codegen.names)
            response["Content-Disposition"] = f'attachment; filename="{generated.filename}"'
            return response
    # plain text: the value is the asker's own, and never markup here
    return HttpResponse(
        f"download: unknown flavour {wanted[:40]!r}; use one of: {', '.join(codegen.FLAVOURS)}",
        status=400,
        content_type="text/plain; charset=utf-8",
    )
