"""Trackers (Prüfcodes): 16 random bytes, shown in Crockford's base32.

Crockford's alphabet (0-9, A-Z without I, L, O, U) keeps the sort order of the bytes, so the
ballot box sorted by tracker reads in the order of the printed codes, and it forgives the usual
misreadings (O → 0, I and L → 1) when a member types their code back in.
"""

from __future__ import annotations

import secrets

from governance.ballots.models import TRACKER_BYTES

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_DECODE = {c: i for i, c in enumerate(ALPHABET)} | {"O": 0, "I": 1, "L": 1}
_BITS = TRACKER_BYTES * 8
_DIGITS = -(-_BITS // 5)  # 26
_PAD = _DIGITS * 5 - _BITS  # 2 zero bits at the end keep the order


def new_tracker() -> bytes:
    """A fresh tracker from the operating system's CSPRNG."""
    return secrets.token_bytes(TRACKER_BYTES)


def format_tracker(tracker: bytes) -> str:
    """26 base32 digits in groups of four: ``0A3F-…-Q7``."""
    value = int.from_bytes(tracker, "big") << _PAD
    digits = "".join(ALPHABET[(value >> (5 * i)) & 31] for i in reversed(range(_DIGITS)))
    return "-".join(digits[i : i + 4] for i in range(0, _DIGITS, 4))


def parse_tracker(text: str) -> bytes | None:
    """The tracker a member typed (any case, with or without dashes and spaces), or None."""
    cleaned = "".join(ch for ch in text.upper() if ch not in "- \t")
    if len(cleaned) != _DIGITS or any(ch not in _DECODE for ch in cleaned):
        return None
    value = 0
    for ch in cleaned:
        value = (value << 5) | _DECODE[ch]
    if value & ((1 << _PAD) - 1):
        return None
    return (value >> _PAD).to_bytes(TRACKER_BYTES, "big")
