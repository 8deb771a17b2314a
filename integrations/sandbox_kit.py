"""Small pieces both provider sandboxes use: reading a fault's JSON description."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal


def whole_number(spec: Mapping[str, object], key: str, default: int | None, minimum: int) -> int | None:
    """An integer field of at least `minimum` (None stays None); ValueError says what is wrong."""
    value = spec.get(key, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{key} must be an integer of at least {minimum}")
    return value


def positive_seconds(spec: Mapping[str, object], default: float = 5.0) -> float:
    seconds = spec.get("seconds", default)
    if isinstance(seconds, bool) or not isinstance(seconds, int | float | Decimal) or seconds <= 0:
        raise ValueError("seconds must be a positive number")
    return float(seconds)
