"""Injected failures, counted: a fault lets the first `after` matching requests through, then
fails the next `times` ones (`times: null` = until cleared). Each sandbox says which kinds it
knows and what a request must match; reading the JSON description and the counting are here,
and so is the fault of an HTTP API matched by path and method, with what it answers."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Generic, NoReturn, Self, TypeVar

from sandboxes.kit.web import DropConnection, Response


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


@dataclass(slots=True)
class PathFault(Fault):
    """A fault of an HTTP API: it matches requests whose path (without the sandbox's mount) starts
    with its `path`, and whose method is its `method` when one is given."""

    path: str = ""
    method: str = ""
    retry_after: int = 1

    @classmethod
    def parse(cls, spec: Mapping[str, object], fault_id: int, kinds: tuple[str, ...], **extra: Any) -> Self:
        """A fault from its JSON description (`extra`: a subclass's own fields, read by the caller);
        ValueError says what is wrong with it."""
        kind = fault_kind(spec, kinds)
        path, method = spec.get("path", ""), spec.get("method", "")
        if not isinstance(path, str) or not isinstance(method, str):
            raise ValueError("path and method must be strings")
        return cls(
            id=fault_id,
            kind=kind,
            path=path,
            method=method.upper(),
            times=whole_number(spec, "times", 1, 1),
            after=whole_number(spec, "after", 0, 0) or 0,
            seconds=positive_seconds(spec),
            retry_after=whole_number(spec, "retry_after", 1, 0) or 0,
            **extra,
        )

    def matches(self, method: str, path: str) -> bool:
        return path.startswith(self.path) and (not self.method or self.method == method)

    def matching(self) -> dict[str, object]:
        return {"path": self.path, "method": self.method, "retry_after": self.retry_after}


PathFaultT = TypeVar("PathFaultT", bound=PathFault)


class PathFaultBook(FaultBook[PathFaultT]):
    def take_for(self, method: str, path: str) -> PathFaultT | None:
        """The first fault that fails this request, if any, counting the request."""
        return self.take(lambda fault: fault.matches(method, path))


def cut_off(fault: Fault) -> NoReturn:
    """A `timeout` (after waiting `seconds`) or a `drop`: the connection closes without an answer."""
    if fault.kind == "timeout":
        time.sleep(fault.seconds)
    raise DropConnection


def answer(fault: PathFault, error: Callable[[str], Response], retry_header: str = "Retry-After") -> Response:
    """What the API answers instead of the faulted call: `error(kind)`, worded as the vendor does,
    with `retry_header` on a 429; a `timeout` or a `drop` cuts the connection instead."""
    if fault.kind in ("timeout", "drop"):
        cut_off(fault)
    response = error(fault.kind)
    if fault.kind == "429":
        response.headers.append((retry_header, str(fault.retry_after)))
    return response
