"""``manage.py simulate``: a trace on the command line, and clear errors for bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.subprocess

ROOT = Path(__file__).resolve().parent.parent


def simulate(*args: str) -> subprocess.CompletedProcess[str]:
    """Run the command for real: the exit status is part of its contract."""
    return subprocess.run(
        [sys.executable, "manage.py", "simulate", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def output(*args: str) -> str:
    out = StringIO()
    call_command("simulate", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def write(tmp_path: Path, data: object) -> str:
    path = tmp_path / "topology.json"
    path.write_text(json.dumps(data) if not isinstance(data, str) else data)
    return str(path)


def test_jsonl_prints_one_trace_record_per_line_for_a_built_in_scenario() -> None:
    records = [json.loads(line) for line in output("order-flow").splitlines()]
    assert [r["seq"] for r in records] == list(range(1, len(records) + 1))
    assert records[0]["event"] == "hop"
    assert records[0]["from"] == "gateway"
    assert records[0]["message"]["type"] == "PlaceOrderCommand"
    delivered = {r["to"] for r in records if r["event"] == "hop" and r["from"] == "order.events"}
    assert delivered == {"inventory", "billing", "notification"}


def test_text_format_narrates_each_record_in_words() -> None:
    lines = output("order-flow", "--format", "text").splitlines()
    assert "API Gateway sent PlaceOrderCommand (command m1) to queue order.commands" in lines[0]
    assert any("published OrderCreatedEvent" in line and "3 subscribers" in line for line in lines)


def test_mermaid_and_svg_print_a_sequence_diagram_of_only_the_steps_allowed() -> None:
    records = [json.loads(line) for line in output("order-flow", "--max-events", "3").splitlines()]
    hops = sum(r["event"] == "hop" for r in records)
    diagram = output("order-flow", "--format", "mermaid", "--max-events", "3")
    assert diagram.startswith("sequenceDiagram\n")
    assert f"diagram: {len(records)} trace records, {hops} arrows (one per hop)." in diagram
    early = output("order-flow", "--format", "svg", "--until-ms", "20")
    assert early.startswith('<svg xmlns="http://www.w3.org/2000/svg"')
    assert early.count('<g class="arrow ') == 2  # the hops at 10 and 20 ms


def test_max_events_and_until_ms_stop_the_run_early() -> None:
    assert len(simulate("order-flow", "--max-events", "3").stdout.splitlines()) == 3
    early = [
        json.loads(line) for line in simulate("order-flow", "--until-ms", "20").stdout.splitlines()
    ]
    assert early and all(r["t"] <= 20 for r in early)


def test_seed_overrides_the_files_seed(tmp_path: Path) -> None:
    flaky = {
        "schema": "msglab/topology@1",
        "name": "flaky",
        "seed": 1,
        "nodes": [
            {
                "id": "c",
                "kind": "client",
                "sends": [
                    {
                        "to": "q",
                        "count": 20,
                        "every_ms": 1,
                        "message": {"type": "DoWork", "kind": "command"},
                    }
                ],
            },  # fmt: skip
            {"id": "q", "kind": "queue", "max_deliveries": 1},
            {
                "id": "w",
                "kind": "service",
                "consumes": ["q"],
                "failure_rate": 0.5,
                "handles": {"DoWork": {}},
            },  # fmt: skip
        ],
    }
    path = write(tmp_path, flaky)
    same = output(path, "--seed", "1")
    assert output(path) == same
    assert output(path, "--seed", "2") != same


def test_a_bad_file_exits_2_listing_every_problem_with_its_path(tmp_path: Path) -> None:
    bad = {
        "schema": "msglab/topology@1",
        "name": "bad",
        "nodes": [
            {"id": "orders", "kind": "service", "consumes": ["order.cmds"]},
            {"id": "x", "kind": "exchange"},
            {"id": "q", "kind": "queue", "max_deliveries": 0},
        ],
    }
    result = simulate(write(tmp_path, bad))
    assert result.returncode == 2
    assert result.stdout == ""
    assert "nodes[0].consumes[0]: unknown node 'order.cmds'" in result.stderr
    assert "nodes[1].kind: must be one of client, service, queue, topic" in result.stderr
    assert "nodes[2].max_deliveries" in result.stderr


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["no-such-scenario"], "unknown scenario 'no-such-scenario'"),
        (["order-flow", "--seed", "-1"], "--seed: must be at least 0"),
        (["order-flow", "--max-events", "zero"], "--max-events: 'zero' is not a whole number"),
        (["order-flow", "--format", "xml"], "invalid choice: 'xml'"),
    ],
)
def test_bad_arguments_exit_2_with_a_message_naming_the_problem(
    args: list[str], expected: str
) -> None:
    result = simulate(*args)
    assert result.returncode == 2
    assert expected in result.stderr


def test_a_missing_file_is_refused_by_name() -> None:
    with pytest.raises(CommandError, match="missing.json: no such file") as error:
        output("missing.json")
    assert error.value.returncode == 2


def test_a_file_that_is_not_json_is_refused_with_the_position(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match=r"not valid JSON: .*line 1") as error:
        output(write(tmp_path, '{"schema": "msglab/topology@1",'))
    assert error.value.returncode == 2


def test_lint_warnings_go_to_stderr_and_the_run_still_happens(tmp_path: Path) -> None:
    topology = {
        "schema": "msglab/topology@1",
        "name": "misuse",
        "nodes": [
            {
                "id": "c",
                "kind": "client",
                "sends": [
                    {"to": "t", "message": {"type": "OrderPlacedCommand", "kind": "command"}}
                ],
            },
            {"id": "t", "kind": "topic"},
            {
                "id": "s",
                "kind": "service",
                "subscribes": ["t"],
                "handles": {"OrderPlacedCommand": {}},
            },
        ],
    }
    result = simulate(write(tmp_path, topology))
    assert result.returncode == 0
    assert "warning: nodes[0].sends[0]:" in result.stderr
    assert "[command-to-topic]" in result.stderr and "[command-past-tense]" in result.stderr
    assert [json.loads(line)["event"] for line in result.stdout.splitlines()] == [
        "hop",
        "hop",
        "handled",
    ]


def test_a_run_that_halts_at_its_budget_exits_0_with_the_halt_in_the_trace(tmp_path: Path) -> None:
    ping_pong = {
        "schema": "msglab/topology@1",
        "name": "ping-pong",
        "max_messages": 50,
        "nodes": [
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
        ],
    }
    result = simulate(write(tmp_path, ping_pong))
    assert result.returncode == 0, result.stderr
    last = json.loads(result.stdout.splitlines()[-1])
    assert last["event"] == "halted"
    assert last["detail"]["reason"] == "loop"
    assert set(last["detail"]["types"]) == {"Ping", "Pong"}
