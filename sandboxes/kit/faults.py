"""Injected failures, counted: a fault lets the first `after` matching requests through, then
fails the next `times` ones (`times: null` = until cleared). Each sandbox says which kinds it
knows and what a request must match; reading the JSON description and the counting are here."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Generic, TypeVar


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


def fault_kind(spec: Mapping[str, object], kinds: tuple[str, ...]) -> str:
    kind = str(spec.get("kind", ""))
    if kind not in kinds:
        raise ValueError(f"kind must be one of {', '.join(kinds)}")
    return kind


@dataclass(slots=True)
class Fault:
    id: int
    kind: str
    times: int | None = 1
    after: int = 0
    seconds: float = 5.0
    seen: int = 0
    fired: int = 0

    @property
    def exhausted(self) -> bool:
        return self.times is not None and self.fired >= self.times

    @property
    def lasting(self) -> bool:
        """Kept in the book; a one-off action is carried out when added and not kept."""
        return True

    def fires(self) -> bool:
        """Count a matching request; whether this one fails."""
        self.seen += 1
        if self.seen > self.after:
            self.fired += 1
            return True
        return False

    def matching(self) -> dict[str, object]:
        """What a request must match, as the control API shows it."""
        return {}

    def describe(self) -> dict[str, object]:
        return {
            "id": self.id,
            "kind": self.kind,
            **self.matching(),
            "times": self.times,
            "after": self.after,
            "seconds": self.seconds,
            "seen": self.seen,
            "fired": self.fired,
            "exhausted": self.exhausted,
        }


FaultT = TypeVar("FaultT", bound=Fault)


class FaultBook(Generic[FaultT]):
    """A sandbox's injected faults, thread-safe; `parse` reads one from its JSON description."""

    def __init__(self, parse: Callable[[Mapping[str, object], int], FaultT]) -> None:
        self.faults: list[FaultT] = []
        self._parse = parse
        self._next_id = 1
        self._lock = threading.Lock()

    def add(self, spec: Mapping[str, object]) -> FaultT:
        """The new fault; ValueError says what is wrong with its description."""
        with self._lock:
            fault = self._parse(spec, self._next_id)
            self._next_id += 1
            if fault.lasting:
                self.faults.append(fault)
            return fault

    def clear(self) -> None:
        with self._lock:
            self.faults.clear()

    def take(self, applies: Callable[[FaultT], bool]) -> FaultT | None:
        """The first live fault that applies and fails this request, if any, counting the request."""
        with self._lock:
            for fault in self.faults:
                if not fault.exhausted and applies(fault) and fault.fires():
                    return fault
            return None

    def any_live(self, applies: Callable[[FaultT], bool]) -> bool:
        with self._lock:
            return any(not fault.exhausted and applies(fault) for fault in self.faults)

    def describe(self) -> list[dict[str, object]]:
        with self._lock:
            return [fault.describe() for fault in self.faults]
