"""Deterministic GUIDs for numbered records: random-looking, unique per space, and reversible.

A space maps record number n to a version-4 GUID whose last group is a bijection of n (an odd
multiplier modulo 2**48), so an id is turned back into its number without a lookup table: a
200,000-line ledger keeps no id strings at all.
"""

from __future__ import annotations

from random import Random

_MASK48 = (1 << 48) - 1
_MASK64 = (1 << 64) - 1
_GOLDEN = 0x9E3779B97F4A7C15


class GuidSpace:
    def __init__(self, rng: Random) -> None:
        self._multiplier = rng.getrandbits(47) << 1 | 1
        self._inverse = pow(self._multiplier, -1, 1 << 48)
        self._salt = rng.getrandbits(64)

    def guid(self, number: int) -> str:
        tail = number * self._multiplier & _MASK48
        head = (tail * _GOLDEN ^ self._salt) & _MASK64
        group3 = 0x4000 | head & 0x0FFF
        group4 = 0x8000 | (head >> 12) & 0x3FFF
        return f"{head >> 32:08x}-{head >> 16 & 0xFFFF:04x}-{group3:04x}-{group4:04x}-{tail:012x}"

    def number(self, guid: str) -> int | None:
        """The record number behind `guid`, or None when the GUID is not from this space."""
        text = guid.strip().lower()
        try:
            tail = int(text[-12:], 16)
        except ValueError:
            return None
        number = tail * self._inverse & _MASK48
        return number if self.guid(number) == text else None
