"""Topologies from the editor: checked by the engine, stored by a hash of their content, shared
read-only, and never trusted from the page."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains, assertTemplateUsed

from simulator import topologies
from simulator.models import SavedTopology
from simulator.scenarios import load_scenario
from simulator.views import editable

pytestmark = pytest.mark.django_db


def order_flow() -> dict[str, Any]:
    return editable(load_scenario("order-flow").topology)


def post(client: Client, url: str, body: object) -> Any:
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(url, data, content_type="application/json")


def test_saving_gives_a_share_link_named_by_a_hash_of_the_content(client: Client) -> None:
    response = post(client, "/sim/save/", order_flow())

    assert response.status_code == 201
    saved = response.json()
    assert saved["path"] == f"/sim/t/{saved['id']}/"
    assert saved["url"] == f"http://testserver/sim/t/{saved['id']}/"
    assert len(saved["id"]) == 24  # 120 bits: not guessed by trying
    row = SavedTopology.objects.get(id=saved["id"])
    assert row.saved and row.title == "Order flow"


def test_saving_the_same_topology_twice_gives_the_same_link_and_one_row(client: Client) -> None:
    first = post(client, "/sim/save/", order_flow()).json()
    # the same topology written differently: keys reordered, a default spelled out
    again = dict(reversed(list(order_flow().items())))
    again["latency_ms"] = 10

    second = post(client, "/sim/save/", again).json()

    assert second["id"] == first["id"]
    assert SavedTopology.objects.count() == 1


def test_a_changed_topology_gets_a_new_link_and_the_old_one_stays_as_it_was(
    client: Client,
) -> None:
    first = post(client, "/sim/save/", order_flow()).json()
    changed = order_flow()
    changed["name"] = "Order flow, my way"

    second = post(client, "/sim/save/", changed).json()

    assert second["id"] != first["id"]
    assertContains(client.get(first["path"]), "<h1>Order flow</h1>")
    assertContains(client.get(second["path"]), "<h1>Order flow, my way</h1>")


def test_a_topology_with_problems_is_refused_with_each_problem_and_its_path(
    client: Client,
) -> None:
    broken = order_flow()
    broken["nodes"][2]["consumes"] = ["nowhere"]

    for url in ("/sim/save/", "/sim/run/"):
        response = post(client, url, broken)
        assert response.status_code == 400
        assert {"path": "nodes[2].consumes[0]", "message": "unknown node 'nowhere'"} in (
            response.json()["problems"]
        )
    assert SavedTopology.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("{not json", "not JSON: Expecting property name enclosed in double quotes"),
        ('{"schema": NaN}', "not JSON: NaN is not JSON"),
        ("[]", "a topology must be a JSON object"),
        (b"x" * (64 * 1024 + 1), "a topology may be at most 64 KB of JSON"),
    ],
)
def test_a_body_that_is_not_a_topology_is_refused_by_name_not_with_a_500(
    client: Client, body: str | bytes, message: str
) -> None:
    for url in ("/sim/save/", "/sim/run/"):
        response = post(client, url, body)
        assert response.status_code == 400
        assert any(p["message"].startswith(message) for p in response.json()["problems"]), (
            response.json()
        )


def test_more_than_200_nodes_is_refused_by_the_engine(client: Client) -> None:
    crowd = {
        "schema": "msglab/topology@1",
        "name": "crowd",
        "nodes": [{"id": f"t{i}", "kind": "topic"} for i in range(201)],
    }

    response = post(client, "/sim/save/", crowd)

    assert response.status_code == 400
    assert response.json()["problems"][0]["path"] == "nodes"


def test_every_post_needs_the_csrf_token() -> None:
    strict = Client(enforce_csrf_checks=True)
    for url in ("/sim/check/", "/sim/run/", "/sim/save/"):
        assert post(strict, url, order_flow()).status_code == 403


def test_the_check_lists_problems_warnings_and_a_layout_without_storing_anything(
    client: Client,
) -> None:
    fine = post(client, "/sim/check/", order_flow()).json()
    assert (fine["ok"], fine["problems"], fine["warnings"]) == (True, [], [])
    assert set(fine["layout"]) == {n["id"] for n in order_flow()["nodes"]}

    lonely = {
        "schema": "msglab/topology@1",
        "name": "lonely",
        "nodes": [{"id": "q", "kind": "queue"}],
    }
    warned = post(client, "/sim/check/", lonely).json()
    assert warned["ok"] is True
    assert [w["code"] for w in warned["warnings"]] == ["queue-without-consumer"]

    broken = post(client, "/sim/check/", {"schema": "msglab/topology@1", "nodes": []}).json()
    assert broken["ok"] is False and broken["layout"] is None
    assert {p["path"] for p in broken["problems"]} == {"name", "nodes"}
    assert SavedTopology.objects.count() == 0


def test_a_run_keeps_a_draft_that_the_share_page_does_not_show(client: Client) -> None:
    response = post(client, "/sim/run/", order_flow())

    assert response.status_code == 201
    draft = response.json()
    assert draft["ws_url"] == f"/ws/sim/?topology={draft['id']}"
    assert not SavedTopology.objects.get(id=draft["id"]).saved
    assert client.get(f"/sim/t/{draft['id']}/").status_code == 404


def test_saving_a_topology_that_was_run_makes_its_draft_a_saved_one(client: Client) -> None:
    draft = post(client, "/sim/run/", order_flow()).json()
    saved = post(client, "/sim/save/", order_flow()).json()

    assert saved["id"] == draft["id"]
    assert SavedTopology.objects.get(id=saved["id"]).saved
    assert client.get(saved["path"]).status_code == 200


def test_drafts_not_run_for_a_day_are_deleted_and_saved_ones_are_kept(client: Client) -> None:
    old = post(client, "/sim/run/", order_flow()).json()["id"]
    kept = post(client, "/sim/save/", {**order_flow(), "name": "kept"}).json()["id"]
    a_day_ago = timezone.now() - timedelta(days=1, minutes=1)
    SavedTopology.objects.update(last_run=a_day_ago)

    fresh = post(client, "/sim/run/", {**order_flow(), "name": "fresh"}).json()["id"]

    assert set(SavedTopology.objects.values_list("id", flat=True)) == {kept, fresh}
    assert old not in SavedTopology.objects.values_list("id", flat=True)


def test_drafts_beyond_the_limit_go_oldest_first(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(topologies, "MAX_DRAFTS", 2)
    ids = []
    for n in range(3):
        topology = topologies.check({**order_flow(), "name": f"draft {n}"})
        ids.append(topologies.store(topology, save=False).id)

    assert set(SavedTopology.objects.values_list("id", flat=True)) == set(ids[1:])


def test_the_share_page_runs_the_saved_topology_read_only(client: Client) -> None:
    saved = post(client, "/sim/save/", order_flow()).json()

    response = client.get(saved["path"])

    assertTemplateUsed(response, "simulator/sim.html")
    assertContains(response, f'data-ws-url="/ws/sim/?topology={saved["id"]}"', count=1)
    assertContains(response, f'href="/sim/?copy={saved["id"]}">Edit a copy</a>', count=1)
    assertContains(response, f'href="/sim/t/{saved["id"]}.json" download')
    assertNotContains(response, "data-editor-add")  # nothing to edit here


def test_a_saved_topology_downloads_as_the_file_it_was_saved_from(client: Client) -> None:
    saved = post(client, "/sim/save/", order_flow()).json()

    response = client.get(f"/sim/t/{saved['id']}.json")

    assert response["Content-Disposition"] == f'attachment; filename="{saved["id"]}.json"'
    assert json.loads(response.content) == order_flow()


def test_unknown_ids_are_404(client: Client) -> None:
    for url in ("/sim/t/aaaaaaaaaaaaaaaaaaaaaaaa/", "/sim/t/nope.json", "/sim/?copy=nope"):
        assert client.get(url).status_code == 404


def test_the_editor_starts_from_a_scenario_or_a_saved_topology_with_every_node_placed(
    client: Client,
) -> None:
    def start(url: str) -> Any:
        html = client.get(url).content.decode()
        return json.loads(html.split('id="editor-start" type="application/json">')[1].split("<")[0])

    assert start("/sim/") is None
    from_scenario = start("/sim/?scenario=order-flow")
    assert from_scenario == order_flow()
    assert all("position" in node for node in from_scenario["nodes"])
    saved = post(client, "/sim/save/", {**order_flow(), "name": "mine"}).json()
    assert start(f"/sim/?copy={saved['id']}")["name"] == "mine"


def test_a_topology_without_positions_is_placed_by_the_layout_for_the_editor(
    client: Client,
) -> None:
    bare = order_flow()
    for node in bare["nodes"]:
        del node["position"]
    saved = post(client, "/sim/save/", bare).json()

    placed = json.loads(client.get(f"/sim/t/{saved['id']}.json").content)

    assert all(set(node["position"]) == {"x", "y"} for node in placed["nodes"])


def test_user_text_is_escaped_in_the_share_page_and_its_title(client: Client) -> None:
    hostile = order_flow()
    hostile["name"] = "<img src=x onerror=alert(1)>"
    hostile["description"] = "</script><script>alert(1)</script>"
    saved = post(client, "/sim/save/", hostile).json()

    html = client.get(saved["path"]).content.decode()

    assert "<img src=x" not in html and "<script>alert(1)" not in html
    assert "<title>&lt;img src=x onerror=alert(1)&gt; — msglab</title>" in html
