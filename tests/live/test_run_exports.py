"""The `export` frame: the run so far as a file, for the viewer that asked only."""

from __future__ import annotations

import json

import pytest

from simulator.exports import Format, export
from tests.live.viewers import ask, fingerprint, open_run, run_of

pytestmark = pytest.mark.asyncio


@pytest.mark.parametrize("fmt", ["mermaid", "svg", "jsonl"])
async def test_an_export_is_the_run_so_far_in_that_format(fmt: Format) -> None:
    viewer, snapshot = await open_run()
    for _ in range(6):
        await ask(viewer, {"action": "step"})
    run = run_of(snapshot)
    before = fingerprint(run)
    frame = await ask(viewer, {"action": "export", "format": fmt})
    expected = export(run.view, run.sim.trace(), fmt, run.topology.name)
    assert frame["type"] == "export"
    assert frame["format"] == fmt
    assert frame["text"] == expected.text
    assert frame["filename"] == expected.filename
    assert frame["media_type"] == expected.media_type
    assert (frame["records"], frame["first_seq"], frame["seq"]) == (run.sim.seq, 1, run.sim.seq)
    assert fingerprint(run) == before  # an export changes nothing
    await viewer.disconnect()


async def test_only_the_viewer_that_asked_gets_the_export() -> None:
    first, snapshot = await open_run()
    second, _ = await open_run(f"scenario=order-flow&run={snapshot['run']}")
    await ask(first, {"action": "step"})
    await second.receive_json_from()  # the step's hops
    frame = await ask(first, {"action": "export", "format": "jsonl"})
    lines = frame["text"].splitlines()
    assert [json.loads(line)["seq"] for line in lines] == [1]
    assert await second.receive_nothing(timeout=0.2)
    await first.disconnect()
    await second.disconnect()


async def test_an_unknown_export_format_is_refused_naming_the_field() -> None:
    viewer, _ = await open_run()
    error = await ask(viewer, {"action": "export", "format": "pdf"})
    assert error["type"] == "error"
    assert error["code"] == "invalid"
    assert error["field"] == "format"
    assert "'mermaid', 'svg' or 'jsonl'" in error["detail"]
    await viewer.disconnect()
