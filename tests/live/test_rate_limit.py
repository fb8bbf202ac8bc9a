"""The token bucket behind the frame rate limit, driven by a clock the test moves."""

from __future__ import annotations

import pytest

from simulator.live.limits import TokenBucket
from tests.live.viewers import ManualClock


def takes(bucket: TokenBucket) -> int:
    """How many frames the bucket lets through now, one after another."""
    count = 0
    while bucket.take():
        count += 1
        assert count <= 10_000, "the bucket never runs dry"  # fail, rather than hang
    return count


def test_a_full_bucket_lets_a_burst_through_then_refuses() -> None:
    bucket = TokenBucket(rate=4, burst=20, clock=ManualClock())
    assert takes(bucket) == 20
    assert not bucket.take()


@pytest.mark.parametrize("seconds", [0.25, 1.0, 2.5])
def test_an_empty_bucket_refills_at_its_rate(seconds: float) -> None:
    clock = ManualClock()
    bucket = TokenBucket(rate=4, burst=20, clock=clock)
    takes(bucket)
    clock.advance(seconds)
    assert takes(bucket) == pytest.approx(4 * seconds, abs=1)


def test_a_steady_sender_at_the_rate_is_never_refused_and_one_faster_is() -> None:
    clock = ManualClock()
    bucket = TokenBucket(rate=20, burst=20, clock=clock)
    takes(bucket)
    allowed = 0
    for _ in range(200):  # ten seconds of one frame every 50 ms
        clock.advance(0.05)
        allowed += bucket.take()
    assert allowed == pytest.approx(200, abs=1)
    allowed = 0
    for _ in range(400):  # ten seconds at twice the rate: half get through
        clock.advance(0.025)
        allowed += bucket.take()
    assert allowed == pytest.approx(200, abs=1)


def test_a_long_quiet_spell_refills_no_more_than_the_burst() -> None:
    clock = ManualClock()
    bucket = TokenBucket(rate=20, burst=20, clock=clock)
    takes(bucket)
    clock.advance(3600)
    assert takes(bucket) == 20
