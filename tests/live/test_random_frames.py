"""Random frames thrown at /ws/sim/: never a crash, never a change after a refused frame."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator.live.protocol import ACTIONS
from tests.live.viewers import ask, fingerprint, open_run, run_of

NODES = ["gateway", "order.commands", "orders", "order.events", "billing", "nobody", ""]
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=8,
)


@st.composite
def frames(draw: st.DrawFn) -> str:
    """Mostly plausible frames with one thing wrong or not, and some plain garbage."""
    kind = draw(st.sampled_from(["garbage", "json", "action"]))
    if kind == "garbage":
        return draw(st.text(max_size=40))
    if kind == "json":
        return json.dumps(draw(JSON))
    frame: dict[str, Any] = {
        "action": draw(st.sampled_from([*ACTIONS, "dance", ""]) | st.integers())
    }
    fields = {
        "seq": st.integers(-3, 40) | JSON,
        "value": st.floats(0, 10, allow_nan=False) | JSON,
        "op": st.sampled_from(["down", "up", "fail_next", "explode"]),
        "node": st.sampled_from(NODES),
        "from": st.sampled_from(NODES),
        "to": st.sampled_from(NODES),
        "type": st.sampled_from(["PlaceOrderCommand", "OrderCreatedEvent", "Nope"]),
        "message": st.fixed_dictionaries(
            {"type": st.sampled_from(["PlaceOrderCommand", "9bad"])},
            optional={"kind": st.sampled_from(["command", "event", "order"]), "payload": JSON},
        ),
        "extra": JSON,
    }
    for name in draw(st.lists(st.sampled_from(sorted(fields)), max_size=4, unique=True)):
        frame[name] = draw(fields[name])
    return json.dumps(frame)


def starts_playing(text: str) -> bool:
    try:
        return bool(json.loads(text) == {"action": "play"})
    except ValueError:
        return False


# A `play` after a step may run events due at that same instant, whose frame would come after
# the answer; a run that plays from the start is covered by `playing`: nothing is due at t=0.
@pytest.mark.asyncio
@pytest.mark.usefixtures("clock")
@settings(max_examples=75, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    playing=st.booleans(),
    sent=st.lists(frames().filter(lambda f: not starts_playing(f)), min_size=1, max_size=12),
)
async def test_random_frames_never_crash_the_consumer_and_refused_ones_change_nothing(
    playing: bool, sent: list[str]
) -> None:
    viewer, snapshot = await open_run()
    run = run_of(snapshot)
    if playing:
        assert (await ask(viewer, {"action": "play"}))["playing"] is True
    for text in sent:
        before = fingerprint(run)
        await viewer.send_input({"type": "websocket.receive", "text": text})  # "" included
        answer = await viewer.receive_json_from(timeout=2)  # a crash would close instead
        assert answer["type"] in ("error", "hops", "state", "snapshot")
        if answer["type"] == "error":
            assert answer["detail"]
            assert fingerprint(run) == before
    await viewer.disconnect()
