"""`subscribe` over /ws/sim/: a service joins a topic mid-run and the diagram shows it."""

from __future__ import annotations

import pytest

from simulator.scenarios import load_scenario
from tests.live.viewers import ask, fingerprint, open_run, run_of

pytestmark = pytest.mark.asyncio

JOIN = {"action": "subscribe", "node": "invoices", "to": "order.events"}


async def test_subscribe_answers_with_a_snapshot_of_the_rewired_topology() -> None:
    viewer, first = await open_run()
    snapshot = await ask(viewer, JOIN)
    assert snapshot["type"] == "snapshot"
    services = {n["id"]: n for n in snapshot["topology"]["nodes"]}
    assert services["invoices"]["subscribes"] == ["order.events"]
    assert "OrderCreatedEvent" in snapshot["arrivals"]["invoices"]
    assert snapshot["layout"] == first["layout"]  # no node moves
    original = {n["id"]: n for n in load_scenario("order-flow").topology.to_dict()["nodes"]}
    assert original["invoices"]["subscribes"] == []
    await viewer.disconnect()


async def test_a_service_that_starts_consuming_a_queue_is_shown_consuming_it() -> None:
    viewer, _ = await open_run()
    snapshot = await ask(viewer, {"action": "subscribe", "node": "billing", "to": "order.commands"})
    services = {n["id"]: n for n in snapshot["topology"]["nodes"]}
    assert services["billing"]["consumes"] == ["order.commands"]
    assert services["billing"]["subscribes"] == ["order.events"]
    await viewer.disconnect()


async def test_after_subscribe_each_event_reaches_one_more_service_and_says_so() -> None:
    viewer, _ = await open_run()
    await ask(viewer, JOIN)
    texts: list[str] = []
    receivers: set[str] = set()
    while not any("→ 4 subscribers" in t for t in texts) or "invoices" not in receivers:
        hops = await ask(viewer, {"action": "step"})
        assert not hops["finished"]
        texts += [i["text"] for i in hops["items"]]
        receivers |= {
            i["to"]
            for i in hops["items"]
            if i["event"] == "hop" and i["message"]["type"] == "OrderCreatedEvent"
        }
    assert {"inventory", "billing", "notification", "invoices"} <= receivers
    await viewer.disconnect()


async def test_back_to_before_a_subscribe_unwires_the_service_again() -> None:
    viewer, _ = await open_run()
    await ask(viewer, {"action": "step"})
    await ask(viewer, JOIN)
    await ask(viewer, {"action": "step"})
    snapshot = await ask(viewer, {"action": "seek", "seq": 0})
    services = {n["id"]: n for n in snapshot["topology"]["nodes"]}
    assert services["invoices"]["subscribes"] == []
    await viewer.disconnect()


async def test_a_second_subscribe_to_the_same_topic_is_refused_and_changes_nothing() -> None:
    viewer, snapshot = await open_run()
    await ask(viewer, JOIN)
    run = run_of(snapshot)
    before = fingerprint(run)
    error = await ask(viewer, JOIN)
    assert error["code"] == "invalid"
    assert error["field"] == "to"
    assert "already subscribes" in error["detail"]
    assert fingerprint(run) == before
    await viewer.disconnect()
