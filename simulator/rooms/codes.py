"""Join codes: short, read aloud and typed on a phone, so only letters nobody confuses."""

from __future__ import annotations

import math
import secrets

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ"  # no I, L or O: they pass for 1 and 0
LENGTH = 7
BITS = LENGTH * math.log2(len(ALPHABET))  # about 31.7: a guess succeeds one time in 3.4 billion


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalise(typed: str) -> str:
    """The letters of what someone typed, in capitals: "kxm-tqra" and "KXM TQRA" are one code."""
    return "".join(ch for ch in typed.upper() if ch.isalpha())


def is_code(text: str) -> bool:
    return len(text) == LENGTH and all(ch in ALPHABET for ch in text)


def display(code: str) -> str:
    """Shown in two groups, which people read out and copy more reliably than seven in a row."""
    return f"{code[:3]} {code[3:]}"
