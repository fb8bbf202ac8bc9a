from __future__ import annotations

import json

from django.test import Client


def test_topology_schema_is_json_schema_for_msglab_topology_v1(client: Client) -> None:
    response = client.get("/schema/topology.json")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/schema+json"
    schema = json.loads(response.content)
    assert schema["$id"] == "/schema/topology.json"
    assert schema["title"] == "msglab topology v1"
    assert schema["properties"]["schema"]["const"] == "msglab/topology@1"
    assert schema["properties"]["nodes"]["type"] == "array"
    assert "nodes" in schema["required"]


def test_topology_schema_may_be_cached(client: Client) -> None:
    response = client.get("/schema/topology.json")

    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert "public" in cache_control
    assert "max-age=3600" in cache_control


def test_live_frames_schema_describes_every_client_action(client: Client) -> None:
    response = client.get("/schema/live-frames.json")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/schema+json"
    schema = json.loads(response.content)
    assert schema["$id"] == "/schema/live-frames.json"
    assert set(schema["discriminator"]["mapping"]) == {
        "play",
        "pause",
        "step",
        "back",
        "seek",
        "reset",
        "speed",
        "inject",
        "fault",
        "resync",
        # a room's own
        "spotlight",
        "poll",
        "reveal",
        "dismiss",
        "vote",
        "close_room",
        "ack",
        "subscribe",
        "breakpoint",
        "export",
    }
    seek = schema["$defs"]["Seek"]
    assert seek["properties"]["seq"] == {"minimum": 0, "title": "Seq", "type": "integer"}
    assert seek["additionalProperties"] is False


def test_live_frames_schema_declares_its_dialect_and_title(client: Client) -> None:
    schema = json.loads(client.get("/schema/live-frames.json").content)

    # published values: validators pick the dialect from `$schema`, editors show the title
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["title"] == "msglab live stream v1: client frames"


def test_live_frames_schema_names_fields_as_they_are_sent(client: Client) -> None:
    schema = json.loads(client.get("/schema/live-frames.json").content)

    inject = schema["$defs"]["Inject"]
    assert set(inject["properties"]) == {"action", "from", "to", "message"}
    assert inject["required"] == ["action", "from", "to", "message"]
