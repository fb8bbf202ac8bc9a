"""A run's sequence diagram, as Mermaid text and as SVG: what it draws and how."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections import Counter
from typing import Any

import pytest

from simulator.exports import FORMATS, LIMIT, export, slugify
from simulator.exports.sequence import build
from simulator.scenarios import list_scenarios
from tests.exports.runs import Record, run, scenario, topology

SVG = "{http://www.w3.org/2000/svg}"
ARROW = re.compile(r"^    (n\d+)(->>|-->>|--\)|-\))(n\d+): (.*)$", re.MULTILINE)
NOTE = re.compile(r"^    Note over (n\d+(?:,n\d+)?): (.*)$", re.MULTILINE)


def mermaid(slug: str) -> str:
    topology, records = scenario(slug)
    return export(topology, records, "mermaid", slug).text


def svg(slug: str) -> ET.Element:
    topology, records = scenario(slug)
    return ET.fromstring(export(topology, records, "svg", slug).text)


def arrows(root: ET.Element) -> list[ET.Element]:
    return [g for g in root.iter(f"{SVG}g") if "arrow" in g.get("class", "").split()]


def marks(root: ET.Element) -> Counter[str]:
    groups = [g for g in root.iter(f"{SVG}g") if "mark" in g.get("class", "").split()]
    return Counter(g.get("class", "").split("--")[1] for g in groups)


def hops(records: list[Record]) -> list[Record]:
    return [r for r in records if r["event"] == "hop"]


def test_there_is_one_arrow_per_hop_in_time_order_in_both_drawings() -> None:
    topology, records = scenario("order-flow")
    text = export(topology, records, "mermaid", "order-flow").text
    root = ET.fromstring(export(topology, records, "svg", "order-flow").text)
    expected = [r["message"]["type"] for r in hops(records)]
    assert [m[3] for m in ARROW.findall(text)] == expected
    assert [int(g.get("data-seq", "0")) for g in arrows(root)] == [r["seq"] for r in hops(records)]


def test_lifelines_run_left_to_right_in_the_diagrams_layout_order() -> None:
    text = mermaid("order-flow")
    names = re.findall(r"^    participant n\d+ as (.*)$", text, re.MULTILINE)
    assert names[:4] == ["API Gateway", "order.commands", "Order Service", "order.events"]
    assert names[-1] == "Invoice Service"
    assert len(names) == 10


def test_commands_are_solid_and_events_dotted_with_an_open_head_in_mermaid() -> None:
    kinds = {(m[1], m[3]) for m in ARROW.findall(mermaid("order-flow"))}
    assert ("->>", "PlaceOrderCommand") in kinds
    assert ("->>", "CreateInvoiceCommand") in kinds
    assert ("--)", "OrderCreatedEvent") in kinds
    assert ("--)", "InvoiceCreatedEvent") in kinds


def test_queries_and_replies_get_their_own_mermaid_arrows() -> None:
    kinds = {m[3]: m[1] for m in ARROW.findall(mermaid("request-reply"))}
    assert kinds == {
        "GetStockLevelQuery": "-)",
        "GetPriceQuery": "-)",
        "PriceReply": "-->>",
        "StockLevelReply": "-->>",
    }


def test_each_kind_has_its_own_line_style_arrowhead_and_tail_in_svg() -> None:
    styles = {}
    for slug in ("order-flow", "request-reply", "transactional-outbox"):
        for g in arrows(svg(slug)):
            path = g.find(f"{SVG}path")
            assert path is not None
            styles[g.get("data-kind")] = (
                path.get("stroke-dasharray"),
                path.get("marker-end"),
                path.get("marker-start"),
            )
    assert styles["command"][0] is None  # solid
    assert styles["query"][0] is None  # solid too: it asks, as a command does
    assert styles["event"][0] == "9 6"  # dashed
    assert styles["reply"][0] == "1 6"  # dotted
    assert styles["document"][0] == "12 5 2 5"  # dash-dotted
    assert len({s[1] for s in styles.values()}) == 5  # five arrowheads
    assert len({s[2] for s in styles.values()}) == 5  # five tail shapes


def test_every_arrowhead_and_tail_an_arrow_uses_is_defined_in_the_document() -> None:
    root = svg("request-reply")
    defined = {m.get("id") for m in root.iter(f"{SVG}marker")}
    used = {
        value[5:-1]
        for path in root.iter(f"{SVG}path")
        for value in (path.get("marker-end"), path.get("marker-start"))
        if value
    }
    assert used and used <= defined


def test_failures_retries_and_dead_letters_are_marked_in_both_drawings() -> None:
    topology, records = scenario("retry-dead-letter")
    events = Counter(r["event"] for r in records)
    assert events["failed"] == 3 and events["retry"] == 2 and events["dead_lettered"] == 1
    text = export(topology, records, "mermaid", "x").text
    notes = [note for _, note in NOTE.findall(text)]
    assert sum(n.startswith("✗ failed ProcessPaymentCommand") for n in notes) == 3
    assert sum(n.startswith("↻ retry ProcessPaymentCommand") for n in notes) == 2
    assert sum(n.startswith("☠ dead-lettered ProcessPaymentCommand") for n in notes) == 1
    assert "Note over n3,n2: ↻ retry ProcessPaymentCommand, delivery 2" in text
    root = ET.fromstring(export(topology, records, "svg", "x").text)
    assert marks(root) == Counter({"failed": 3, "retry": 2, "dead_lettered": 1})
    redelivered = [g for g in arrows(root) if "(attempt 2)" in "".join(g.itertext())]
    assert len(redelivered) == 1


def test_drops_and_halts_are_marked_too() -> None:
    ping_pong = topology(
        [
            {
                "id": "c",
                "kind": "client",
                "sends": [{"to": "a", "message": {"type": "Ping", "kind": "command"}}],
            },
            {
                "id": "a",
                "kind": "service",
                "handles": {"Ping": {"emit": [{"type": "Pong", "kind": "command", "to": "b"}]}},
            },
            {
                "id": "b",
                "kind": "service",
                "handles": {"Pong": {"emit": [{"type": "Ping", "kind": "command", "to": "a"}]}},
            },
            {"id": "t", "kind": "topic"},
            {
                "id": "d",
                "kind": "client",
                "sends": [{"to": "t", "message": {"type": "Lonely", "kind": "event"}}],
            },
        ],
        max_messages=20,
    )
    records = run(ping_pong)
    text = export(ping_pong, records, "mermaid", "x").text
    assert re.search(r"Note over n\d+: ⊘ dropped Lonely — no subscribers#58; ", text)
    assert re.search(r"Note over n\d+: ■ run halted — ", text)
    root = ET.fromstring(export(ping_pong, records, "svg", "x").text)
    assert marks(root) == Counter({"dropped": 1, "halted": 1})


@pytest.mark.parametrize("slug", [s.slug for s in list_scenarios()])
def test_every_built_in_scenario_exports_well_formed_svg_and_mermaid(slug: str) -> None:
    topology, records = scenario(slug)
    root = ET.fromstring(export(topology, records, "svg", slug).text)
    assert root.tag == f"{SVG}svg"
    assert re.fullmatch(r"0 0 [\d.]+ [\d.]+", root.get("viewBox", ""))
    assert root.find(f"{SVG}title") is not None and root.find(f"{SVG}style") is not None
    assert len(arrows(root)) == len(hops(records))
    text = export(topology, records, "mermaid", slug).text
    assert text.startswith("sequenceDiagram\n")
    assert len(ARROW.findall(text)) == len(hops(records)) > 0


def test_the_svg_is_the_same_every_time() -> None:
    topology, records = scenario("saga-choreography")
    first = export(topology, records, "svg", "x").text
    assert export(topology, [dict(r) for r in records], "svg", "x").text == first
    assert re.findall(r'="(-?\d+\.\d{2,})"', first) == []  # coordinates rounded to 0.1


def test_unknown_keys_in_records_are_ignored() -> None:
    topology, records = scenario("order-flow")
    narrated = [{**r, "text": "<b>narration</b>", "hit": True} for r in records]
    for fmt in FORMATS:
        assert export(topology, narrated, fmt, "x") == export(topology, records, fmt, "x")


def test_the_jsonl_export_is_the_trace_one_record_a_line() -> None:
    topology, records = scenario("retry-dead-letter")
    text = export(topology, records, "jsonl", "x").text
    assert text == "".join(json.dumps(r, separators=(",", ":")) + "\n" for r in records)
    assert [json.loads(line) for line in text.splitlines()] == records


def test_beyond_the_limit_only_the_latest_records_are_exported_and_the_diagram_says_so() -> None:
    topology, records = scenario("order-flow")
    many = [{**records[i % len(records)], "seq": i + 1} for i in range(LIMIT + 3)]
    lines = export(topology, many, "jsonl", "x").text.splitlines()
    assert len(lines) == LIMIT and json.loads(lines[0])["seq"] == 4
    text = export(topology, many, "mermaid", "x").text
    assert "%% Records from seq 4 on (the 3 before them were left out; at most 5000" in text
    assert len(ARROW.findall(text)) == len(hops(many[3:]))
    root = ET.fromstring(export(topology, many, "svg", "x").text)
    desc = root.find(f"{SVG}desc")
    assert desc is not None and "3 earlier ones left out" in (desc.text or "")


def test_a_window_that_starts_late_says_earlier_records_were_not_given() -> None:
    topology, records = scenario("order-flow")
    diagram = build(topology, records[5:])
    assert diagram.starts_late and diagram.omitted == 0
    text = export(topology, records[5:], "mermaid", "x").text
    assert "%% Records from seq 6 on (earlier records were not given" in text


def test_a_run_with_no_records_yet_shows_every_node_and_no_arrow() -> None:
    topology, _ = scenario("order-flow")
    text = export(topology, [], "mermaid", "x").text
    assert len(re.findall(r"^    participant ", text, re.MULTILINE)) == len(topology.nodes)
    assert ARROW.findall(text) == []
    root = ET.fromstring(export(topology, [], "svg", "x").text)
    assert arrows(root) == []


@pytest.mark.parametrize(
    ("fmt", "filename", "media_type"),
    [
        ("mermaid", "order-flow-sequence.mmd", "text/plain; charset=utf-8"),
        ("svg", "order-flow-sequence.svg", "image/svg+xml"),
        ("jsonl", "order-flow-trace.jsonl", "application/x-ndjson"),
    ],
)
def test_each_format_names_its_file_and_media_type(
    fmt: Any, filename: str, media_type: str
) -> None:
    topology, records = scenario("order-flow")
    result = export(topology, records, fmt, "Order flow")
    assert (result.filename, result.media_type) == (filename, media_type)


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Order flow", "order-flow"),
        ("../../etc/passwd", "etc-passwd"),
        ('Crème brûlée <script>"; #1', "creme-brulee-script-1"),
        ("", "run"),
        ("???", "run"),
        ("x" * 100, "x" * 60),
    ],
)
def test_the_file_name_is_a_safe_slug_of_the_name(name: str, slug: str) -> None:
    assert slugify(name) == slug


def test_an_unknown_format_is_refused_by_name() -> None:
    topology, records = scenario("order-flow")
    with pytest.raises(ValueError, match="format: must be one of mermaid, svg, jsonl, got 'png'"):
        export(topology, records, "png", "x")  # type: ignore[arg-type]
