"""Injected failures: throttling, server errors, slow or dropped connections, answers lost after
the work was done, bad JSON, expired consent.

A fault matches requests whose path (with or without the `/ponto-connect` prefix) starts with
its `path`; it lets the first `after` matching requests through, then fails the next `times`
ones (`times: null` = until cleared). Control calls under `/_sandbox/` are never faulted.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field

from integrations.sandbox_kit import positive_seconds, whole_number

# "lost_answer": the request is carried out, then the connection drops before the answer.
# "wrong_shape": a 200 with valid JSON that is not the document asked for.
TRANSPORT_KINDS = ("429", "500", "503", "timeout", "drop", "malformed", "lost_answer", "wrong_shape")
KINDS = (*TRANSPORT_KINDS, "expired_consent", "revoked")


@dataclass(slots=True)
class Fault:
    id: int
    kind: str
    path: str = ""
    times: int | None = 1
    after: int = 0
    retry_after: int = 1
    seconds: float = 5.0
    seen: int = 0
    fired: int = 0

    @property
    def exhausted(self) -> bool:
        return self.times is not None and self.fired >= self.times

    def matches(self, path: str, api_path: str) -> bool:
        return path.startswith(self.path) or api_path.startswith(self.path)

    def describe(self) -> dict[str, object]:
        return {
            "id": self.id,
            "kind": self.kind,
            "path": self.path,
            "times": self.times,
            "after": self.after,
            "retryAfter": self.retry_after,
            "seconds": self.seconds,
            "seen": self.seen,
            "fired": self.fired,
            "exhausted": self.exhausted,
        }


def parse_fault(spec: Mapping[str, object], fault_id: int) -> Fault:
    """A fault from its JSON description; ValueError says what is wrong with it."""
    kind = str(spec.get("kind", ""))
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}")
    path = spec.get("path", "")
    if not isinstance(path, str):
        raise ValueError("path must be a string")
    seconds = positive_seconds(spec)
    default_times = None if kind == "expired_consent" else 1
    return Fault(
        id=fault_id,
        kind=kind,
        path=path,
        times=whole_number(spec, "times", default_times, 1),
        after=whole_number(spec, "after", 0, 0) or 0,
        retry_after=whole_number(spec, "retry_after", 1, 0) or 0,
        seconds=float(seconds),
    )


@dataclass
class FaultBook:
    faults: list[Fault] = field(default_factory=list)
    _next_id: int = 1
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, spec: Mapping[str, object]) -> Fault:
        with self._lock:
            fault = parse_fault(spec, self._next_id)
            self._next_id += 1
            if fault.kind != "revoked":  # a one-off action, nothing to keep
                self.faults.append(fault)
            return fault

    def clear(self) -> None:
        with self._lock:
            self.faults.clear()

    def take(self, path: str, api_path: str, kinds: tuple[str, ...]) -> Fault | None:
        """The first fault of one of `kinds` that fails this request, if any, counting the request."""
        with self._lock:
            for fault in self.faults:
                if fault.kind not in kinds or fault.exhausted or not fault.matches(path, api_path):
                    continue
                fault.seen += 1
                if fault.seen > fault.after:
                    fault.fired += 1
                    return fault
            return None

    def consent_expired(self) -> bool:
        with self._lock:
            return any(fault.kind == "expired_consent" and not fault.exhausted for fault in self.faults)

    def describe(self) -> list[dict[str, object]]:
        with self._lock:
            return [fault.describe() for fault in self.faults]
