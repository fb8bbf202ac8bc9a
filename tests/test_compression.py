"""Pages and static files travel gzip-compressed to a browser that accepts it: a classroom
shares one slow network, and a lesson page is a third of its size compressed."""

from __future__ import annotations

import gzip

import pytest
from django.test import Client


def body(response: object) -> bytes:
    content = getattr(response, "streaming_content", None)
    return b"".join(content) if content is not None else response.content  # type: ignore[attr-defined]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/lessons/order-flow/", "/static/js/diagram.js", "/static/css/site.css"]
)
def test_a_page_or_static_file_is_gzipped_for_a_browser_that_accepts_it(
    client: Client, path: str
) -> None:
    plain = client.get(path)
    packed = client.get(path, HTTP_ACCEPT_ENCODING="gzip, deflate, br")

    assert plain.status_code == packed.status_code == 200
    assert "Content-Encoding" not in plain
    assert packed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed["Vary"]
    unpacked = gzip.decompress(body(packed))
    assert len(body(packed)) < len(unpacked) / 2
    if path.startswith("/static/"):  # a page differs per response: its CSRF token is masked
        assert unpacked == body(plain)
