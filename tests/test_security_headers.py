"""Every page is served with a strict Content-Security-Policy: this origin only, no inline
script, no frames around it."""

from __future__ import annotations

import pytest
from django.test import Client


def policy(client: Client, path: str) -> dict[str, list[str]]:
    response = client.get(path)
    assert response.status_code == 200, path
    directives = [d.strip().split() for d in response["Content-Security-Policy"].split(";")]
    return {d[0]: d[1:] for d in directives if d}


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/sim/",
        "/sim/order-flow/",
        "/schema/topology.json",
        "/lessons/",
        "/lessons/order-flow/",
        "/glossary/",
        "/cheat-sheet/",
    ],
)
@pytest.mark.django_db  # a lesson page notes in the session that it was opened
def test_every_page_allows_scripts_styles_and_connections_from_its_own_origin_only(
    client: Client, path: str
) -> None:
    csp = policy(client, path)

    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]  # no 'unsafe-inline', no 'unsafe-eval'
    assert csp["style-src"] == ["'self'"]
    assert csp["connect-src"] == ["'self'"]  # the live stream's WebSocket is same-origin
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]


def test_no_page_can_be_framed(client: Client) -> None:
    assert client.get("/sim/order-flow/")["X-Frame-Options"] == "DENY"
