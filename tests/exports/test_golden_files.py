"""The exports of ``order-flow`` match the files under ``golden/``, byte for byte.

After a deliberate change to an export, regenerate the files and review the diff:

    MSGLAB_UPDATE_GOLDEN=1 .venv/bin/pytest tests/exports/test_golden_files.py
"""

from __future__ import annotations

import os
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from simulator.exports import Format, export
from tests.exports.runs import scenario

GOLDEN = Path(__file__).resolve().parent / "golden"
FILES: dict[Format, str] = {
    "mermaid": "order-flow.mmd",
    "svg": "order-flow.svg",
    "jsonl": "order-flow.jsonl",
}
UPDATE = os.environ.get("MSGLAB_UPDATE_GOLDEN") == "1"


def golden(fmt: Format, text: str) -> str:
    """The golden file's text; with MSGLAB_UPDATE_GOLDEN=1 it is rewritten from ``text`` first."""
    path = GOLDEN / FILES[fmt]
    if UPDATE:
        path.write_text(text, encoding="utf-8", newline="")
    return path.read_text(encoding="utf-8")


def cli(*args: str) -> str:
    out = StringIO()
    call_command("simulate", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.mark.parametrize("fmt", list(FILES))
def test_the_export_of_a_full_order_flow_run_equals_its_golden_file(fmt: Format) -> None:
    topology, records = scenario("order-flow")
    text = export(topology, records, fmt, "order-flow").text
    assert text == golden(fmt, text)


@pytest.mark.parametrize("fmt", list(FILES))
def test_the_cli_prints_the_same_text_as_the_golden_file(fmt: Format) -> None:
    assert cli("order-flow", "--format", fmt) == (GOLDEN / FILES[fmt]).read_text(encoding="utf-8")
