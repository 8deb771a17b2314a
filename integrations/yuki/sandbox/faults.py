"""Injected failures for SOAP calls: bad keys, expired sessions, the quota, server errors, slowness, garbage.

A fault matches calls of its `operation` (any operation when empty); it lets the first `after`
matching calls through, then fails the next `times` ones (`times: null` = until cleared).

* `invalid_key`, `expired_session` (the caller's session is really dropped), `quota`: the
  faults Yuki answers in those cases, without touching the real keys or counters otherwise;
* `500`: a generic server fault, nothing is done (`message` replaces its text, e.g. to try a
  wording the connector has never seen); `sql_timeout` and `deadlock` are server faults with the
  texts ASP.NET and SQL Server give when Yuki's database is slow or busy, nothing is done either;
* `timeout`: the call is carried out, then the answer waits `seconds` (a client that gives up
  first cannot know whether, say, its invoice was booked);
* `malformed`: the call is carried out and the answer is cut off mid-document.

Control calls under `/_sandbox/` are never faulted.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field

from integrations.sandbox_kit import positive_seconds, whole_number

# The server faults' texts after "Server was unable to process request. ---> ".
SERVER_FAULTS = {
    "500": "Object reference not set to an instance of an object.",
    "sql_timeout": "Timeout expired.  The timeout period elapsed prior to completion of the operation or the server "
    "is not responding.",
    "deadlock": "Transaction (Process ID 64) was deadlocked on lock resources with another process and has been "
    "chosen as the deadlock victim. Rerun the transaction.",
}
KINDS = ("invalid_key", "expired_session", "quota", *SERVER_FAULTS, "timeout", "malformed")


@dataclass(slots=True)
class Fault:
    id: int
    kind: str
    operation: str = ""
    times: int | None = 1
    after: int = 0
    seconds: float = 5.0
    message: str = ""
    seen: int = 0
    fired: int = 0

    @property
    def exhausted(self) -> bool:
        return self.times is not None and self.fired >= self.times

    def describe(self) -> dict[str, object]:
        return {
            "id": self.id,
            "kind": self.kind,
            "operation": self.operation,
            "times": self.times,
            "after": self.after,
            "seconds": self.seconds,
            "message": self.message,
            "seen": self.seen,
            "fired": self.fired,
            "exhausted": self.exhausted,
        }


def parse_fault(spec: Mapping[str, object], fault_id: int) -> Fault:
    kind = str(spec.get("kind", ""))
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}")
    operation = spec.get("operation", "")
    if not isinstance(operation, str):
        raise ValueError("operation must be a string (an operation name, or empty for any)")
    seconds = positive_seconds(spec)
    message = spec.get("message", "")
    if not isinstance(message, str) or (message and kind not in SERVER_FAULTS):
        raise ValueError(f"message must be a string, and only for the server faults ({', '.join(SERVER_FAULTS)})")
    return Fault(
        id=fault_id,
        kind=kind,
        operation=operation,
        times=whole_number(spec, "times", 1, 1),
        after=whole_number(spec, "after", 0, 0) or 0,
        seconds=float(seconds),
        message=message,
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
            self.faults.append(fault)
            return fault

    def clear(self) -> None:
        with self._lock:
            self.faults.clear()

    def take(self, operation: str) -> Fault | None:
        """The first live fault for this operation that fails this call, counting the call."""
        with self._lock:
            for fault in self.faults:
                if fault.exhausted or (fault.operation and fault.operation != operation):
                    continue
                fault.seen += 1
                if fault.seen > fault.after:
                    fault.fired += 1
                    return fault
            return None

    def describe(self) -> list[dict[str, object]]:
        with self._lock:
            return [fault.describe() for fault in self.faults]
