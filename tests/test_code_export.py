"""Starter code: every topology as a Spring Boot file and a Python module that wire the same flow.

The generated Python must compile and the generated Java must parse (javalang); both are read
back as trees, not searched as text. javalang 0.13 knows the Java 8 grammar: it reads a record
header `public record X(String a) {}` as a method named X that returns the type `record`, so
that is how a record is found in its tree. Where a JDK is installed, `javac` also type-checks
the Java against stand-ins for the Spring classes (tests/javastubs/). `.ci/run` installs a JDK
where there is none; elsewhere that test is skipped without one (failed under
MSGLAB_REQUIRE_BROWSER=1, as the browser tests are).
"""

from __future__ import annotations

import ast
import json
import re
import shutil
import subprocess
import sys
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import javalang
import pytest
from django.test import Client
from javalang import tree as jtree
from playwright.sync_api import Page, expect
from pytest_django.asserts import assertContains, assertNotContains, assertTemplateUsed

from simulator import codegen, topologies
from simulator.engine import Topology, load_topology
from simulator.engine.spec import ClientNode, QueueNode, ServiceNode
from simulator.scenarios import list_scenarios, load_scenario
from tests.browser import missing, serious_violations

SCENARIOS = [s.slug for s in list_scenarios()]

# Names that are keywords, start with digits, hold dots and dashes, clash with each other, or
# hide a type the generated code needs; user text that must stay text in the page.
AWKWARD: dict[str, Any] = {
    "schema": "msglab/topology@1",
    "name": 'class "Weird" */ \\u000a <b>flow</b>',
    "description": 'A quote" a backslash \\ and """ three quotes """',
    "nodes": [
        {
            "id": "import",
            "kind": "client",
            "label": "<script>alert('x')</script>",
            "sends": [
                {
                    "to": "default",
                    "message": {
                        "type": "class",
                        "kind": "command",
                        "payload": {
                            "from": "x",
                            "type": 1,
                            "1st": True,
                            "class": None,
                            "a b": [1, "two", None],
                            "": {"k": 1.5, "n": None},
                            "hashCode": "h",
                            "self": "s",
                            "field": "f",
                            "ünï": "u",
                            'x"y': 'q\\u000a\n*/ "end',
                            "aB": 2,
                        },
                    },
                },
                {"to": "new-topic", "message": {"type": "String", "kind": "event"}},
                {
                    "to": "do.it",
                    "message": {"type": "Order.Created", "kind": "query", "payload": {"n": 2**70}},
                    "count": 3,
                    "every_ms": 2.5,
                },
            ],
        },
        {"id": "default", "kind": "queue", "dead_letter": "default.dlq", "max_deliveries": 1},
        {"id": "default.dlq", "kind": "queue", "duplicate_rate": 0.25},
        {"id": "new-topic", "kind": "topic"},
        {
            "id": "do.it",
            "kind": "service",
            "label": "Service",
            "consumes": ["default"],
            "subscribes": ["new-topic"],
            "concurrency": 3,
            "idempotent": True,
            "handles": {
                "class": {
                    "emit": [
                        {
                            "type": "OrderCreated",
                            "kind": "event",
                            "to": "new-topic",
                            "payload": {"from": 3.5, "type": "t"},
                            "delay_ms": 5,
                            "headers": {"x-h": "v*/"},
                        },
                        {"type": "default", "kind": "command", "to": "Service"},
                    ],
                    "on_failure": {"emit": [{"type": "None", "kind": "event", "to": "new-topic"}]},
                    "reply": {"type": "Queue", "payload": {"import": 1}},
                },
                "String": {"emit": [{"type": "class", "kind": "command", "to": "default"}]},
                "Order.Created": {"reply": {"type": "Queue"}},
                "OrderCreated": {},
                "Never": {},
            },
        },
        {
            "id": "Service",
            "kind": "service",
            "label": "Service",
            "consumes": ["default.dlq"],
            "subscribes": ["new-topic"],
            "handles": {"default": {"reply": {"type": "import"}}, "class": {}, "None": {}},
        },
    ],
}


# ---- what the topology says, worked out here independently of simulator.codegen -------------


def message_types(topology: Topology) -> set[str]:
    names: set[str] = set()
    for node in topology.spec.nodes:
        if isinstance(node, ClientNode):
            names.update(send.message.type for send in node.sends)
        if isinstance(node, ServiceNode):
            for type_name, handler in node.handles.items():
                names.add(type_name)
                names.update(e.type for e in handler.emit)
                names.update(
                    e.type for e in (handler.on_failure.emit if handler.on_failure else [])
                )
                if handler.reply is not None:
                    names.add(handler.reply.type)
    return names


def carried(topology: Topology) -> dict[str, set[str]]:
    """The message types that reach each queue and topic, dead-letter queues included."""
    out: dict[str, set[str]] = {
        n.id: set() for n in topology.spec.nodes if n.kind in ("queue", "topic")
    }
    for node in topology.spec.nodes:
        if isinstance(node, ClientNode):
            for send in node.sends:
                out.get(send.to, set()).add(send.message.type)
        if isinstance(node, ServiceNode):
            for handler in node.handles.values():
                for emit in [
                    *handler.emit,
                    *(handler.on_failure.emit if handler.on_failure else []),
                ]:
                    out.get(emit.to, set()).add(emit.type)
    for _ in topology.spec.nodes:  # enough rounds for any chain of dead-letter queues
        for node in topology.spec.nodes:
            if isinstance(node, QueueNode) and node.dead_letter:
                out[node.dead_letter] |= out[node.id]
    return out


def listeners(topology: Topology) -> Iterator[tuple[ServiceNode, str, str, str]]:
    """(service, message type, channel, "queue" or "topic") for every type a service handles
    that reaches it through a queue it consumes or a topic it subscribes to."""
    reach = carried(topology)
    for node in topology.spec.nodes:
        if isinstance(node, ServiceNode):
            for type_name in node.handles:
                for queue in node.consumes:
                    if type_name in reach[queue]:
                        yield node, type_name, queue, "queue"
                for topic in node.subscribes:
                    if type_name in reach[topic]:
                        yield node, type_name, topic, "topic"


# ---- reading the generated code back as trees ------------------------------------------------


def java_tree(topology: Topology) -> jtree.CompilationUnit:
    return javalang.parse.parse(codegen.generate(topology, "spring").text)


def java_records(unit: jtree.CompilationUnit) -> dict[str, str]:
    """Record name -> the message type its Javadoc names (`A command: {@code PlaceOrder}.`)."""
    records = {}
    for _, method in unit.filter(jtree.MethodDeclaration):
        if method.return_type is not None and method.return_type.name == "record":
            lines = (method.documentation or "").splitlines()
            doc = " ".join(line.strip().lstrip("/*").strip() for line in lines)
            named = re.search(r"\{@code ([^}]+)\}", doc)
            records[method.name] = named[1] if named else ""
    return records


def annotation(node: Any, name: str) -> jtree.Annotation | None:
    return next((a for a in node.annotations or [] if a.name == name), None)


def annotation_strings(found: jtree.Annotation, key: str) -> list[str]:
    for pair in found.element or []:
        if isinstance(pair, jtree.ElementValuePair) and pair.name == key:
            value = pair.value
            values = value.values if isinstance(value, jtree.ElementArrayValue) else [value]
            return [json.loads(v.value) for v in values]
    return []


def java_service_class(unit: jtree.CompilationUnit, service_id: str) -> jtree.ClassDeclaration:
    for _, declared in unit.filter(jtree.ClassDeclaration):
        if f"(node {service_id})" in (declared.documentation or ""):
            return declared
    raise AssertionError(f"no class for the service {service_id!r}")


def python_tree(topology: Topology) -> ast.Module:
    generated = codegen.generate(topology, "python")
    compile(generated.text, generated.filename, "exec")
    return ast.parse(generated.text)


def dataclasses_of(module: ast.Module) -> list[ast.ClassDef]:
    def frozen_dataclass(decorator: ast.expr) -> bool:
        return (
            isinstance(decorator, ast.Call)
            and isinstance(decorator.func, ast.Name)
            and decorator.func.id == "dataclass"
            and any(k.arg == "frozen" for k in decorator.keywords)
        )

    return [
        node
        for node in module.body
        if isinstance(node, ast.ClassDef) and any(frozen_dataclass(d) for d in node.decorator_list)
    ]


def import_generated(topology: Topology, monkeypatch: pytest.MonkeyPatch) -> types.ModuleType:
    """Run the generated module, with empty stand-ins for aio-pika and aiokafka (not installed:
    the module only names them at import time)."""
    kafka = types.ModuleType("aiokafka")
    kafka.AIOKafkaConsumer = kafka.AIOKafkaProducer = object  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "aio_pika", types.ModuleType("aio_pika"))
    monkeypatch.setitem(sys.modules, "aiokafka", kafka)
    generated = codegen.generate(topology, "python")
    module = types.ModuleType("generated_flow")
    monkeypatch.setitem(sys.modules, "generated_flow", module)
    exec(compile(generated.text, generated.filename, "exec"), module.__dict__)
    return module


# ---- every built-in scenario -----------------------------------------------------------------


@pytest.mark.parametrize("slug", SCENARIOS)
def test_generated_python_compiles_with_a_dataclass_per_type_and_a_class_per_service(
    slug: str,
) -> None:
    topology = load_scenario(slug).topology

    module = python_tree(topology)

    assert len(dataclasses_of(module)) == len(message_types(topology))
    classes = [n for n in module.body if isinstance(n, ast.ClassDef)]
    for node in topology.spec.nodes:
        if isinstance(node, ServiceNode):
            (service,) = [c for c in classes if f"(node {node.id})" in (ast.get_docstring(c) or "")]
            handlers = [
                f
                for f in service.body
                if isinstance(f, ast.AsyncFunctionDef) and f.name[:3] == "on_"
            ]
            assert len(handlers) == len(node.handles), node.id
    assert any(isinstance(n, ast.AsyncFunctionDef) and n.name == "main" for n in module.body)


@pytest.mark.parametrize("slug", SCENARIOS)
def test_generated_java_parses_with_a_record_per_message_type(slug: str) -> None:
    topology = load_scenario(slug).topology

    records = java_records(java_tree(topology))

    assert sorted(records.values()) == sorted(message_types(topology))


@pytest.mark.parametrize("slug", SCENARIOS)
def test_generated_java_listens_for_each_handled_type_on_its_queue_or_topic(slug: str) -> None:
    topology = load_scenario(slug).topology
    unit = java_tree(topology)
    record_of = {type_name: record for record, type_name in java_records(unit).items()}
    checked = 0

    for service, type_name, channel, kind in listeners(topology):
        declared = java_service_class(unit, service.id)
        (method,) = [
            m
            for m in declared.methods
            if len(m.parameters) == 1 and m.parameters[0].type.name == record_of[type_name]
        ]
        listener, handler, key = (
            ("RabbitListener", "RabbitHandler", "queues")
            if kind == "queue"
            else ("KafkaListener", "KafkaHandler", "topics")
        )
        on_method = annotation(method, listener)
        on_class = annotation(declared, listener)
        if on_method is not None and channel in annotation_strings(on_method, key):
            found = on_method
        else:  # a channel with several types: one listener on the class, a handler per type
            assert annotation(method, handler) is not None, (service.id, type_name, channel)
            assert on_class is not None and channel in annotation_strings(on_class, key)
            found = on_class
        if kind == "topic":
            assert annotation_strings(found, "groupId") == [service.id]
        checked += 1

    assert checked == sum(1 for _ in listeners(topology))


def test_order_flow_sends_commands_with_rabbit_template_and_events_with_kafka_template() -> None:
    unit = java_tree(load_scenario("order-flow").topology)

    calls = {
        (call.qualifier, call.member, call.arguments[0].value)
        for _, call in unit.filter(jtree.MethodInvocation)
        if call.qualifier in ("rabbitTemplate", "kafkaTemplate")
    }

    assert calls == {
        ("rabbitTemplate", "convertAndSend", '"order.commands"'),
        ("kafkaTemplate", "send", '"order.events"'),
        ("rabbitTemplate", "convertAndSend", '"invoice.commands"'),
        ("kafkaTemplate", "send", '"invoice.events"'),
    }


def test_payload_fields_flow_on_into_the_messages_a_handler_sends(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    module = import_generated(load_scenario("order-flow").topology, monkeypatch)
    invoice = module.MESSAGE_TYPES["CreateInvoiceCommand"]

    # Billing adds `amount` to what the OrderCreatedEvent carried from the PlaceOrderCommand
    message = invoice(order_id="A123", customer_id="C55", total_amount=499.99, amount=10.0)
    wire = json.loads(module.encode(message))

    assert wire == {
        "type": "CreateInvoiceCommand",
        "payload": {"orderId": "A123", "customerId": "C55", "totalAmount": 499.99, "amount": 10.0},
    }
    assert module.decode(module.encode(message)) == message


# ---- awkward names ---------------------------------------------------------------------------


def test_keywords_dots_dashes_digits_and_clashing_names_still_compile_and_parse() -> None:
    topology = load_topology(AWKWARD)

    module = python_tree(topology)
    records = java_records(java_tree(topology))

    assert len(dataclasses_of(module)) == len(message_types(topology)) == len(records)
    assert sorted(records.values()) == sorted(message_types(topology))
    # "Order.Created" and "OrderCreated" both want the name OrderCreated
    assert {"OrderCreated", "OrderCreated2"} <= records.keys()
    # a message type does not hide a name the generated code needs (None is fine in Java)
    assert {"String", "Queue"}.isdisjoint(records.keys())
    assert "None" in records
    assert "NoneMessage" in [c.name for c in dataclasses_of(module)]


def test_awkward_payload_keys_travel_under_their_own_names(monkeypatch: pytest.MonkeyPatch) -> None:
    module = import_generated(load_topology(AWKWARD), monkeypatch)
    cls = module.MESSAGE_TYPES["class"]
    keys = AWKWARD["nodes"][0]["sends"][0]["message"]["payload"]
    values = dict(
        zip([f.name for f in cls.__dataclass_fields__.values()], keys.values(), strict=True)
    )

    message = cls(**values)

    assert json.loads(module.encode(message))["payload"] == keys
    assert module.decode(module.encode(message)) == message
    assert module.MESSAGE_TYPES["Order.Created"] is not module.MESSAGE_TYPES["OrderCreated"]


@pytest.mark.subprocess
def test_generated_java_compiles_with_javac_against_stand_ins_for_spring(tmp_path: Path) -> None:
    javac = shutil.which("javac")
    if javac is None:
        missing("no JDK: javac not found; install one with: apt-get install default-jdk-headless")
    sources = []
    for topology in [*(s.topology for s in list_scenarios()), load_topology(AWKWARD)]:
        generated = codegen.generate(topology, "spring")
        source = tmp_path / "src" / topology.name.replace("/", "_") / generated.filename
        source.parent.mkdir(parents=True)
        source.write_text(generated.text, encoding="utf-8")
        sources.append(str(source))
    stubs = Path(__file__).parent / "javastubs"

    result = subprocess.run(
        [
            javac,
            "-Xlint:all",
            "-Werror",
            "-encoding",
            "UTF-8",
            "-sourcepath",
            str(stubs),
            "-d",
            str(tmp_path / "classes"),
            *sources,
        ],
        capture_output=True,
        text=True,
        timeout=240,
    )

    assert result.returncode == 0, result.stderr[-4000:]


def test_an_unknown_flavour_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="flavour must be one of spring, python"):
        codegen.generate(load_scenario("order-flow").topology, "cobol")  # type: ignore[arg-type]


# ---- the pages -------------------------------------------------------------------------------


def test_code_page_shows_both_flavours_highlighted(client: Client) -> None:
    response = client.get("/sim/order-flow/code/")

    assert response.status_code == 200
    assertTemplateUsed(response, "simulator/code.html")
    html = response.content.decode()
    for flavour in ("spring", "python"):
        listing = html[html.index(f'id="{flavour}-code"') :]
        listing = listing[: listing.index("</pre>")]
        assert '<span class="nd">' in listing  # an annotation / a decorator, highlighted
        assert "style=" not in listing  # classes only: the CSP allows no inline style
    assertContains(response, "OrderFlowApplication.java")
    assertContains(response, "order_flow.py")
    assertContains(response, ">Download Spring Boot code</a>", count=1)
    assertContains(response, ">Download Python code</a>", count=1)
    assertContains(response, 'href="/sim/order-flow/"')


@pytest.mark.parametrize(
    ("flavour", "filename", "media_type"),
    [
        ("spring", "OrderFlowApplication.java", "text/x-java-source; charset=utf-8"),
        ("python", "order_flow.py", "text/x-python; charset=utf-8"),
    ],
)
def test_download_is_an_attachment_named_after_the_topology(
    client: Client, flavour: str, filename: str, media_type: str
) -> None:
    response = client.get(f"/sim/order-flow/code/?download={flavour}")

    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    assert response["Content-Type"] == media_type
    generated = codegen.generate(load_scenario("order-flow").topology, flavour)  # type: ignore[arg-type]
    assert response.content.decode() == generated.text


def test_an_unknown_flavour_to_download_is_400_naming_the_field(client: Client) -> None:
    response = client.get("/sim/order-flow/code/?download=<cobol>")

    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode() == (
        "download: unknown flavour '<cobol>'; use one of: spring, python"
    )


def test_code_page_for_an_unknown_scenario_is_404(client: Client) -> None:
    assert client.get("/sim/no-such/code/").status_code == 404


def test_code_page_refuses_a_post(client: Client) -> None:
    assert client.post("/sim/order-flow/code/").status_code == 405


def test_sim_page_links_to_its_starter_code(client: Client) -> None:
    assertContains(client.get("/sim/order-flow/"), 'href="/sim/order-flow/code/">Starter code</a>')


@pytest.mark.django_db
def test_a_saved_topology_has_a_code_page_and_its_share_page_links_to_it(client: Client) -> None:
    row = topologies.store(load_scenario("request-reply").topology, save=True)

    page = client.get(f"/sim/t/{row.id}/code/")
    download = client.get(f"/sim/t/{row.id}/code/?download=python")

    assert page.status_code == 200
    assertContains(page, "request_and_reply.py")
    assert download["Content-Disposition"] == 'attachment; filename="request_and_reply.py"'
    assertContains(client.get(f"/sim/t/{row.id}/"), f'href="/sim/t/{row.id}/code/"')


@pytest.mark.django_db
def test_an_unknown_or_draft_topology_has_no_code_page(client: Client) -> None:
    draft = topologies.store(load_scenario("order-flow").topology, save=False)

    assert client.get(f"/sim/t/{draft.id}/code/").status_code == 404
    assert client.get("/sim/t/aaaaaaaaaaaaaaaaaaaaaaaa/code/").status_code == 404


@pytest.mark.django_db
def test_the_topology_name_and_labels_are_text_in_the_page(client: Client) -> None:
    row = topologies.store(load_topology(AWKWARD), save=True)

    response = client.get(f"/sim/t/{row.id}/code/")

    assert response.status_code == 200
    assertNotContains(response, "<script>alert")
    assertNotContains(response, "<b>flow</b>")
    assertContains(response, "&lt;b&gt;flow&lt;/b&gt;")
    assertContains(response, "&lt;script&gt;alert(")


# ---- in the browser --------------------------------------------------------------------------


@pytest.mark.browser
def test_copy_puts_the_listing_on_the_clipboard(page: Page) -> None:
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto("/sim/order-flow/code/")

    page.get_by_role("button", name="Copy Python code", exact=True).click()

    expect(page.locator('[data-copied="python-code"]')).to_have_text("Copied.")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == codegen.generate(load_scenario("order-flow").topology, "python").text


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_code_page_has_no_serious_accessibility_violations(
    page: Page,
    axe_url: str,
    scheme: str,
) -> None:
    page.emulate_media(color_scheme=scheme)  # type: ignore[arg-type]
    page.goto("/sim/saga-orchestration/code/")
    expect(page.get_by_role("button", name="Copy Spring Boot code", exact=True)).to_be_visible()

    assert serious_violations(page, axe_url) == []
