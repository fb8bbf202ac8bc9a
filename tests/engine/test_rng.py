"""The seeded random source: SplitMix64, so a seed means the same run on every machine and
every version (saved topologies and shared links replay exactly)."""

from __future__ import annotations

import pytest

from simulator.engine.rng import Rng

# The published SplitMix64 test vectors (Vigna's reference splitmix64.c): the first outputs for
# seeds 0 and 1234567, as 64-bit integers.
VECTORS = {
    0: [0xE220A8397B1DCDAF, 0x6E789E6AA1B965F4, 0x06C45D188009454F],
    1234567: [6457827717110365317, 3203168211198807973, 9817491932198370423],
}


def as_float(output: int) -> float:
    """The top 53 bits of an output, as a float in [0, 1): how random() turns one into a draw."""
    return (output >> 11) / 2**53


@pytest.mark.parametrize("seed", sorted(VECTORS))
def test_draws_are_splitmix64_outputs_in_order(seed: int) -> None:
    rng = Rng(seed)
    assert [rng.random() for _ in VECTORS[seed]] == [as_float(o) for o in VECTORS[seed]]


def test_the_whole_state_is_the_number_of_draws_so_far() -> None:
    rng = Rng(1234567, draws=2)
    assert rng.random() == as_float(VECTORS[1234567][2])
    assert rng.draws == 3


def test_a_seed_is_taken_modulo_two_to_the_64() -> None:
    assert Rng(2**64 + 1234567).random() == Rng(1234567).random()
    assert Rng(-1).seed == 2**64 - 1


def test_below_scales_a_draw_down_to_a_whole_number_under_n() -> None:
    draws = [as_float(o) for o in VECTORS[0]]
    rng = Rng(0)
    assert [rng.below(10) for _ in draws] == [int(d * 10) for d in draws] == [8, 4, 0]
    assert all(0 <= Rng(seed).below(3) < 3 for seed in range(200))
