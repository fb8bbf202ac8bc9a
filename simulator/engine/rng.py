"""A seeded random source whose whole state is one counter.

Draw n is SplitMix64 of (seed, n): saving and restoring the state for step-back is copying an
int, where ``random.Random`` would copy 625 words at every snapshot.
"""

from __future__ import annotations

_MASK = (1 << 64) - 1
_GOLDEN = 0x9E3779B97F4A7C15


class Rng:
    __slots__ = ("draws", "seed")

    def __init__(self, seed: int, draws: int = 0) -> None:
        self.seed = seed & _MASK
        self.draws = draws

    def random(self) -> float:
        """A float in [0, 1)."""
        self.draws += 1
        z = (self.seed + self.draws * _GOLDEN) & _MASK
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
        return ((z ^ (z >> 31)) >> 11) * (1.0 / (1 << 53))

    def below(self, n: int) -> int:
        """An int in [0, n)."""
        return int(self.random() * n)
