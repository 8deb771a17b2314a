"""The sandbox clock: real time (or a given `now`) plus an offset that tests move forward."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta


class MovableClock:
    """A sandbox's time and its lock: `now()` is the clock plus whatever `advance()` added."""

    def __init__(self, now: Callable[[], datetime] | None = None) -> None:
        self._clock = now or (lambda: datetime.now(UTC))
        self._offset = timedelta()
        self._lock = threading.RLock()

    @property
    def lock(self) -> threading.RLock:
        return self._lock

    def now(self) -> datetime:
        moment = self._clock()
        moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
        return moment + self._offset

    def advance(self, seconds: float) -> datetime:
        """Move the clock forward; the new time."""
        if seconds < 0:
            raise ValueError("the sandbox clock only moves forward")
        with self._lock:
            self._offset += timedelta(seconds=seconds)
        return self.now()
