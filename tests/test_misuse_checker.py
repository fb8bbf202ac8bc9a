"""The misuse checker: every lint explained and linked to a lesson that exists, the fixes it
offers, and the editor's requests for them (`/sim/check/`, `/sim/fix/`)."""

from __future__ import annotations

import copy
import json
import re
from typing import Any

import pytest
from django.test import Client

from lessons.content import load_course
from simulator import misuse
from simulator.engine import Lint, load_topology
from simulator.engine.lints import WHY
from simulator.scenarios import list_scenarios, load_scenario

Document = dict[str, Any]


def topology(*nodes: Document) -> Document:
    return {"schema": "msglab/topology@1", "name": "Crafted", "nodes": list(nodes)}


def at(x: int, y: int) -> dict[str, int]:
    return {"x": x, "y": y}


def client_sending(to: str, type_name: str, kind: str) -> Document:
    message = {"type": type_name, "kind": kind}
    return {
        "id": "shop",
        "kind": "client",
        "position": at(100, 300),
        "sends": [{"to": to, "message": message}],
    }


def service(node_id: str, *, x: int = 500, **wiring: Any) -> Document:
    return {"id": node_id, "kind": "service", "position": at(x, 300), **wiring}


def command_on_a_topic() -> Document:
    return topology(
        client_sending("orders.commands", "PlaceOrderCommand", "command"),
        {"id": "orders.commands", "kind": "topic", "position": at(300, 300)},
        service("orders", subscribes=["orders.commands"], handles={"PlaceOrderCommand": {}}),
        service("audit", x=700, subscribes=["orders.commands"], handles={"PlaceOrderCommand": {}}),
    )


# One document per lint code, in which that lint, and no other, fires.
CRAFTED: dict[str, Document] = {
    "command-to-topic": command_on_a_topic(),
    "command-past-tense": topology(
        client_sending("order.commands", "OrderPlaced", "command"),
        {"id": "order.commands", "kind": "queue"},
        service("orders", consumes=["order.commands"], handles={"OrderPlaced": {}}),
    ),
    "event-to-service": topology(
        client_sending("orders", "OrderPlacedEvent", "event"),
        service("orders", handles={"OrderPlacedEvent": {}}),
    ),
    "event-imperative": topology(
        client_sending("invoice.commands", "CreateInvoice", "event"),
        {"id": "invoice.commands", "kind": "queue"},
        service("invoices", consumes=["invoice.commands"], handles={"CreateInvoice": {}}),
    ),
    "queue-without-consumer": topology(
        client_sending("orders", "PlaceOrder", "command"),
        service("orders", handles={"PlaceOrder": {}}),
        {"id": "spare.queue", "kind": "queue"},
    ),
    "topic-without-subscriber": topology(
        client_sending("orders", "PlaceOrder", "command"),
        service("orders", handles={"PlaceOrder": {}}),
        {"id": "spare.topic", "kind": "topic"},
    ),
    "unhandled-type": topology(
        client_sending("order.events", "OrderPlacedEvent", "event"),
        {"id": "order.events", "kind": "topic"},
        service("mailer", subscribes=["order.events"]),
        service("billing", x=700, subscribes=["order.events"], handles={"OrderPlacedEvent": {}}),
    ),
    "message-cycle": topology(
        client_sending("ping.commands", "PingCommand", "command"),
        {"id": "ping.commands", "kind": "queue"},
        service(
            "echo",
            consumes=["ping.commands"],
            handles={
                "PingCommand": {
                    "emit": [{"type": "PingCommand", "kind": "command", "to": "ping.commands"}]
                }
            },
        ),
    ),
}

# Documents whose warning has an obvious fix (some also fire another lint on the way).
FIXABLE: dict[str, Document] = {
    "command-to-topic": CRAFTED["command-to-topic"],
    "command-past-tense": topology(  # named like an event, on a topic: it is one
        client_sending("order.events", "OrderPlaced", "command"),
        {"id": "order.events", "kind": "topic"},
        service("shipping", subscribes=["order.events"], handles={"OrderPlaced": {}}),
    ),
    "event-to-service": CRAFTED["event-to-service"],
    "event-imperative": CRAFTED["event-imperative"],
    "queue-without-consumer": CRAFTED["queue-without-consumer"],
    "topic-without-subscriber": CRAFTED["topic-without-subscriber"],
    "unhandled-type": CRAFTED["unhandled-type"],
}


def only(document: Document, code: str) -> Lint:
    (lint,) = [w for w in load_topology(document).warnings if w.code == code]
    return lint


def post(client: Client, url: str, body: object) -> Any:
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(url, data, content_type="application/json")


def fix_request(document: Document, lint: Lint) -> dict[str, Any]:
    return {"document": document, "warning": lint.to_dict()}


# ---- every lint: fires on a crafted topology, explained, with a lesson that exists ----------


def test_every_lint_code_has_a_crafted_topology_and_a_misuse_entry() -> None:
    # a new lint cannot ship without its words and its lesson
    assert set(CRAFTED) == set(WHY) == set(misuse.MISUSES)


@pytest.mark.parametrize("code", sorted(CRAFTED))
def test_each_crafted_topology_fires_exactly_its_own_lint(code: str) -> None:
    warnings = load_topology(CRAFTED[code]).warnings

    assert [w.code for w in warnings] == [code]


@pytest.mark.parametrize("code", sorted(misuse.MISUSES))
def test_each_lint_is_explained_in_plain_words_and_its_lesson_exists(code: str) -> None:
    entry = misuse.MISUSES[code]

    assert entry.code == code
    assert entry.title[0].isupper() and code not in entry.title  # words, not the code
    assert len(entry.explanation) > 40 and len(entry.why) > 40
    assert load_course().get(entry.lesson) is not None, f"{code}: no lesson {entry.lesson!r}"


@pytest.mark.parametrize("code", sorted(CRAFTED))
def test_what_a_warning_is_about_is_its_message_without_the_codes_one_liner(code: str) -> None:
    lint = only(CRAFTED[code], code)

    about = misuse.what(lint)

    assert lint.message == f"{about}: {WHY[code]}." and len(about) > 10


@pytest.mark.django_db
@pytest.mark.parametrize("slug", sorted({m.lesson for m in misuse.MISUSES.values()}))
def test_each_linked_lesson_page_opens(client: Client, slug: str) -> None:
    assert client.get(f"/lessons/{slug}/").status_code == 200


@pytest.mark.parametrize("code", sorted(misuse.MISUSES))
def test_the_lesson_a_lint_links_to_talks_about_that_lint(code: str) -> None:
    lesson = load_course().get(misuse.MISUSES[code].lesson)

    assert lesson is not None
    assert f"`{code}`" in lesson.body


# ---- fixes -----------------------------------------------------------------------------------


@pytest.mark.parametrize("code", sorted(FIXABLE))
def test_each_fix_removes_its_warning_adds_none_of_another_kind_and_leaves_the_input_alone(
    code: str,
) -> None:
    document = FIXABLE[code]
    before = copy.deepcopy(document)
    lint = only(document, code)

    made = misuse.fix(document, lint)

    assert made is not None
    assert document == before
    after = load_topology(made.document).warnings  # valid, or this raises
    assert lint not in after and code not in {w.code for w in after}
    assert {w.code for w in after} <= {w.code for w in load_topology(document).warnings}


def test_a_command_on_a_topic_is_fixed_by_turning_the_topic_into_a_queue() -> None:
    document = CRAFTED["command-to-topic"]

    made = misuse.fix(document, only(document, "command-to-topic"))

    assert made is not None and made.label == "Turn topic orders.commands into a queue"
    nodes = {n["id"]: n for n in made.document["nodes"]}
    assert nodes["orders.commands"]["kind"] == "queue"
    for name in ("orders", "audit"):  # subscribers become competing consumers
        assert nodes[name]["consumes"] == ["orders.commands"] and "subscribes" not in nodes[name]


def test_a_topic_that_also_carries_events_is_not_turned_into_a_queue() -> None:
    document = copy.deepcopy(CRAFTED["command-to-topic"])
    document["nodes"][2]["handles"]["PlaceOrderCommand"] = {
        "emit": [{"type": "OrderPlacedEvent", "kind": "event", "to": "orders.commands"}]
    }
    document["nodes"][3]["handles"]["OrderPlacedEvent"] = {}
    document["nodes"][2]["handles"]["OrderPlacedEvent"] = {}

    assert misuse.fix(document, only(document, "command-to-topic")) is None


def test_an_event_sent_to_a_service_goes_through_a_new_topic_placed_between_them() -> None:
    document = copy.deepcopy(CRAFTED["event-to-service"])
    document["nodes"].append({"id": "order.events", "kind": "queue"})  # the obvious id is taken
    document["nodes"][1]["consumes"] = ["order.events"]

    made = misuse.fix(document, only(document, "event-to-service"))

    assert (
        made is not None and made.label == "Publish OrderPlacedEvent on a new topic order.events-2"
    )
    new = made.document["nodes"][-1]
    assert new == {"id": "order.events-2", "kind": "topic", "position": at(300, 300)}
    assert made.document["nodes"][0]["sends"][0]["to"] == "order.events-2"
    assert made.document["nodes"][1]["subscribes"] == ["order.events-2"]


def test_a_past_tense_command_becomes_an_event_only_where_an_event_fits() -> None:
    on_topic = FIXABLE["command-past-tense"]
    made = misuse.fix(on_topic, only(on_topic, "command-past-tense"))
    assert made is not None and made.label == "Make OrderPlaced an event"
    assert made.document["nodes"][0]["sends"][0]["message"]["kind"] == "event"

    on_queue = CRAFTED["command-past-tense"]  # an event on a queue would hide a new problem
    assert misuse.fix(on_queue, only(on_queue, "command-past-tense")) is None

    named_command = json.loads(json.dumps(on_topic).replace("OrderPlaced", "OrderPlacedCommand"))
    assert misuse.fix(named_command, only(named_command, "command-past-tense")) is None


def test_an_imperative_event_becomes_a_command_unless_it_goes_to_a_topic_or_says_event() -> None:
    to_queue = CRAFTED["event-imperative"]
    made = misuse.fix(to_queue, only(to_queue, "event-imperative"))
    assert made is not None and made.label == "Make CreateInvoice a command"

    to_topic = topology(
        client_sending("invoice.events", "CreateInvoice", "event"),
        {"id": "invoice.events", "kind": "topic"},
        service("invoices", subscribes=["invoice.events"], handles={"CreateInvoice": {}}),
    )
    assert misuse.fix(to_topic, only(to_topic, "event-imperative")) is None

    named_event = json.loads(json.dumps(to_queue).replace("CreateInvoice", "CreateInvoiceEvent"))
    assert misuse.fix(named_event, only(named_event, "event-imperative")) is None


def test_an_unused_queue_or_topic_is_removed_but_one_that_is_sent_to_is_kept() -> None:
    for code, node_id in (
        ("queue-without-consumer", "spare.queue"),
        ("topic-without-subscriber", "spare.topic"),
    ):
        made = misuse.fix(CRAFTED[code], only(CRAFTED[code], code))
        assert made is not None and made.label.startswith("Remove the unused ")
        assert node_id not in {n["id"] for n in made.document["nodes"]}

    sent_to = topology(
        client_sending("order.commands", "PlaceOrder", "command"),
        {"id": "order.commands", "kind": "queue"},
    )
    assert misuse.fix(sent_to, only(sent_to, "queue-without-consumer")) is None


def test_a_dead_letter_queue_nobody_consumes_is_not_removed() -> None:
    document = topology(
        client_sending("work", "DoWork", "command"),
        {"id": "work", "kind": "queue", "dead_letter": "work.dlq"},
        {"id": "work.dlq", "kind": "queue"},
        service("worker", consumes=["work"], handles={"DoWork": {}}),
    )

    assert misuse.fix(document, only(document, "queue-without-consumer")) is None


def test_an_unhandled_type_gets_an_empty_handler_in_the_service_the_warning_names() -> None:
    document = CRAFTED["unhandled-type"]

    made = misuse.fix(document, only(document, "unhandled-type"))

    assert made is not None and made.label == "Add an empty OrderPlacedEvent handler to mailer"
    assert made.document["nodes"][2]["handles"] == {"OrderPlacedEvent": {}}


def test_a_message_cycle_has_no_automatic_fix() -> None:
    document = CRAFTED["message-cycle"]

    assert misuse.fix(document, only(document, "message-cycle")) is None


def test_a_warning_the_document_does_not_have_gets_no_fix() -> None:
    made_up = Lint("nodes[0].sends[0]", "command-to-topic", "not one of its warnings")

    assert misuse.fix(CRAFTED["command-to-topic"], made_up) is None
    assert misuse.fix({"nodes": "not a topology"}, made_up) is None


@pytest.mark.parametrize(
    ("path", "parts"),
    [
        ("nodes[2]", ["nodes", 2]),
        ("nodes[0].sends[1]", ["nodes", 0, "sends", 1]),
        (
            "nodes[3].handles.Paid.on_failure.emit[0]",
            ["nodes", 3, "handles", "Paid", "on_failure", "emit", 0],
        ),
        (
            "nodes[1].handles['shop.OrderPaid'].emit[2]",
            ["nodes", 1, "handles", "shop.OrderPaid", "emit", 2],
        ),
    ],
)
def test_a_warnings_path_is_read_as_the_engine_writes_it(path: str, parts: list[Any]) -> None:
    assert misuse.parse_path(path) == parts


def test_a_fix_follows_an_emit_under_a_dotted_message_type() -> None:
    document = topology(
        client_sending("orders", "shop.PlaceOrder", "command"),
        service(
            "orders",
            handles={
                "shop.PlaceOrder": {
                    "emit": [{"type": "shop.OrderPlaced", "kind": "event", "to": "billing"}]
                }
            },
        ),
        service("billing", x=700, handles={"shop.OrderPlaced": {}}),
    )
    lint = only(document, "event-to-service")
    assert lint.path == "nodes[1].handles['shop.PlaceOrder'].emit[0]"

    made = misuse.fix(document, lint)

    assert made is not None and made.label == "Publish shop.OrderPlaced on a new topic order.events"


def test_no_built_in_scenario_needs_a_fix() -> None:
    for scenario in list_scenarios():
        document = json.loads(load_scenario(scenario.slug).path.read_text())
        assert list(misuse.fixes(document, load_topology(document))) == []


# ---- the editor's requests -------------------------------------------------------------------


@pytest.mark.django_db
def test_the_check_explains_each_warning_links_its_lesson_and_names_its_fix(client: Client) -> None:
    answer = post(client, "/sim/check/", CRAFTED["command-to-topic"]).json()

    (warning,) = answer["warnings"]
    assert warning["code"] == "command-to-topic"
    assert warning["what"] == "PlaceOrderCommand is a command published to topic 'orders.commands'"
    assert warning["title"] == "A command sent to a topic"
    assert warning["explanation"] == misuse.MISUSES["command-to-topic"].explanation
    assert warning["why"].startswith("With two subscribers the order ships twice")
    assert warning["lesson"] == {
        "slug": "queues-and-topics",
        "title": "Queues and topics: one receiver or every subscriber",
        "url": "/lessons/queues-and-topics/",
    }
    assert warning["fix"] == {"label": "Turn topic orders.commands into a queue"}

    cycle = post(client, "/sim/check/", CRAFTED["message-cycle"]).json()["warnings"][0]
    assert cycle["fix"] is None and cycle["lesson"]["slug"] == "sagas"


@pytest.mark.django_db
def test_the_check_offers_fixes_for_the_first_ten_warnings_only(client: Client) -> None:
    crowd = topology(
        client_sending("order.events", "OrderPlacedEvent", "event"),
        {"id": "order.events", "kind": "topic"},
        *(service(f"listener-{n}", subscribes=["order.events"]) for n in range(12)),
    )

    warnings = post(client, "/sim/check/", crowd).json()["warnings"]

    assert [w["code"] for w in warnings] == ["unhandled-type"] * 12
    assert [w["fix"] is not None for w in warnings] == [True] * 10 + [False] * 2


@pytest.mark.django_db
def test_the_fix_request_answers_the_fixed_document_and_its_label(client: Client) -> None:
    document = CRAFTED["command-to-topic"]

    response = post(client, "/sim/fix/", fix_request(document, only(document, "command-to-topic")))

    assert response.status_code == 200
    body = response.json()
    assert body["label"] == "Turn topic orders.commands into a queue"
    assert body["document"]["nodes"][1]["kind"] == "queue"
    assert post(client, "/sim/check/", body["document"]).json()["warnings"] == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ("{not json", "", "not JSON"),
        ([1, 2], "", '{"document": …, "warning": …}'),
        ({"warning": {}}, "document", "required"),
        ({"document": {"schema": "msglab/topology@1", "nodes": []}}, "document.name", "required"),
        ({"document": CRAFTED["command-to-topic"]}, "warning", "required"),
        ({"document": CRAFTED["command-to-topic"], "warning": "x"}, "warning", "required"),
        (
            {
                "document": CRAFTED["command-to-topic"],
                "warning": {"code": "rude-name", "path": "nodes[0]"},
            },
            "warning.code",
            "unknown lint code 'rude-name'",
        ),
        (
            {"document": CRAFTED["command-to-topic"], "warning": {"code": "command-to-topic"}},
            "warning.path",
            "required",
        ),
        (
            {
                "document": CRAFTED["command-to-topic"],
                "warning": {"code": "command-to-topic", "path": "nodes[0].sends[0]", "message": 5},
            },
            "warning.message",
            "string",
        ),
        (  # fixed already: the warning is no longer there
            {
                "document": CRAFTED["event-imperative"],
                "warning": {"code": "command-to-topic", "path": "nodes[0].sends[0]"},
            },
            "warning",
            "no command-to-topic warning at 'nodes[0].sends[0]'",
        ),
        (
            {
                "document": CRAFTED["message-cycle"],
                "warning": only(CRAFTED["message-cycle"], "message-cycle").to_dict(),
            },
            "warning",
            "no automatic fix",
        ),
    ],
)
def test_the_fix_request_refuses_bad_input_naming_the_field(
    client: Client, body: object, field: str, words: str
) -> None:
    response = post(client, "/sim/fix/", body)

    assert response.status_code == 400
    problems = response.json()["problems"]
    assert [p["path"] for p in problems][:1] == [field]
    assert words in problems[0]["message"]


@pytest.mark.django_db
def test_the_fix_request_needs_the_csrf_token_and_a_post() -> None:
    strict = Client(enforce_csrf_checks=True)
    document = CRAFTED["command-to-topic"]
    asked = fix_request(document, only(document, "command-to-topic"))

    assert post(strict, "/sim/fix/", asked).status_code == 403
    assert Client().get("/sim/fix/").status_code == 405


# ---- run pages -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_run_page_carries_each_lints_words_and_a_link_to_fix_it_in_the_editor(
    client: Client,
) -> None:
    saved = post(client, "/sim/save/", CRAFTED["command-to-topic"]).json()

    html = client.get(saved["path"]).content.decode()

    texts = re.search(r'<script type="application/json">(\{"command-to-topic".*?)</script>', html)
    assert texts is not None
    words = json.loads(texts.group(1))
    assert set(words) == set(misuse.MISUSES)
    assert words["command-to-topic"]["lesson"]["url"] == "/lessons/queues-and-topics/"
    assert words["unhandled-type"]["why"] == misuse.MISUSES["unhandled-type"].why
    assert f'<a href="/sim/?copy={saved["id"]}">Fix it in the editor</a>' in html
