"""Small pieces both provider sandboxes use: reading a fault's JSON description, the clock."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
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


class MovableClock:
    """The sandbox's clock: real time (or a given `now`) plus an offset that tests move forward."""

    _clock: Callable[[], datetime]
    _offset: timedelta
    _lock: threading.RLock

    def now(self) -> datetime:
        moment = self._clock()
        moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
        return moment + self._offset

    def _move(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("the sandbox clock only moves forward")
        with self._lock:
            self._offset += timedelta(seconds=seconds)
