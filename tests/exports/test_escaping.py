"""User text (names, labels, message types, reasons) cannot break either drawing."""

from __future__ import annotations

import copy
import re
import xml.etree.ElementTree as ET
from typing import Any

from simulator.engine import Topology
from simulator.exports import export
from tests.exports.runs import Record, run, topology

SVG = "{http://www.w3.org/2000/svg}"
NASTY = 'A <b>&amp;</b> "q"; #35; 50% {x} [y] `c` -->> end'
TYPE = 'Evil<T>&"x";#y%'


def crafted() -> tuple[Topology, list[Record]]:
    nodes: list[dict[str, Any]] = [
        {
            "id": "c-1.x",
            "kind": "client",
            "label": NASTY,
            "sends": [{"to": "q.1", "message": {"type": "DoIt", "kind": "command"}}],
        },
        {"id": "q.1", "kind": "queue", "label": "style: wrap:q;#", "max_deliveries": 1},
        {
            "id": "s-1",
            "kind": "service",
            "label": "S</text><script>alert(1)</script>\nsecond line",
            "consumes": ["q.1"],
            "failure_rate": 1,
            "handles": {"DoIt": {}},
        },
    ]
    nasty = topology(nodes, name='Run <one> & "two"; #3')
    records = run(nasty)
    # the engine only accepts plain type names, but the exports take any records they are given
    weird = copy.deepcopy(records[0])
    weird["seq"] = records[-1]["seq"] + 1
    weird["message"]["type"] = TYPE
    return nasty, [*records, weird]


def test_the_svg_stays_well_formed_and_shows_user_text_as_text() -> None:
    nasty, records = crafted()
    text = export(nasty, records, "svg", "x").text
    root = ET.fromstring(text)  # raises if not well-formed
    shown = {"".join(t.itertext()) for t in root.iter(f"{SVG}text")}
    titles = " ".join(t.text or "" for t in root.iter(f"{SVG}title"))
    assert NASTY in titles  # whole in the lifeline's tooltip; its box shows the start
    assert NASTY[:20] + "…" in shown
    assert TYPE in shown
    assert 'Run <one> & "two"; #3' in shown
    assert not list(root.iter(f"{SVG}script")) and not list(root.iter(f"{SVG}b"))
    assert "<script" not in text and "<b>" not in text


def test_control_characters_xml_forbids_are_replaced() -> None:
    nasty, records = crafted()
    records[-1]["message"]["type"] = "Bell\x07Type\x00"
    root = ET.fromstring(export(nasty, records, "svg", "x").text)
    assert "Bell\ufffdType\ufffd" in {"".join(t.itertext()) for t in root.iter(f"{SVG}text")}


def decode(text: str) -> str:
    """What Mermaid shows for text with its entity codes."""
    return re.sub(r"#(\d+);", lambda m: chr(int(m[1])), text)


def test_mermaid_writes_user_text_with_entity_codes_on_one_line() -> None:
    nasty, records = crafted()
    text = export(nasty, records, "mermaid", "x").text
    lines = text.splitlines()
    body = [line for line in lines if not line.startswith("%%")]
    free = [re.split(r": | as | title ", line, maxsplit=1)[1] for line in body[1:]]
    for part in free:  # no statement is ended or started early by user text
        assert not re.search(r'[;#<>&"%{}\[\]`:]', re.sub(r"#\d+;", "", part)), part
    labels = [decode(line.split(" as ", 1)[1]) for line in body if " participant " in line]
    assert labels == [NASTY, "style: wrap:q;#", "S</text><script>alert(1)</script> second line"]
    assert f"    n1->>n2: {TYPE}" in [decode(line) for line in body]
    assert (
        decode(next(line for line in body if "title" in line)) == '    title Run <one> & "two"; #3'
    )
    assert len(lines) == text.count("\n")  # a label's line break did not add a line
