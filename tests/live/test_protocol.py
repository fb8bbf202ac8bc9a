"""Client frames checked on their own, without a socket: what a refusal says in a traceback."""

from __future__ import annotations

import pytest

from simulator.live.protocol import FrameError, parse_frame


def test_a_refusal_of_one_field_reads_as_the_field_then_the_detail() -> None:
    # what a log line or a traceback shows for a refused frame
    with pytest.raises(FrameError) as refused:
        parse_frame('{"action": "seek"}')
    assert str(refused.value) == "seq: required for 'seek'"


def test_a_refusal_of_the_whole_frame_reads_as_the_detail_alone() -> None:
    with pytest.raises(FrameError) as refused:
        parse_frame("[1, 2]")
    assert str(refused.value) == "a frame must be a JSON object, not a bare value or list"
