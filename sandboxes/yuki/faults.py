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

from collections.abc import Mapping
from dataclasses import dataclass

from sandboxes.kit import faults as kit

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
class Fault(kit.Fault):
    operation: str = ""
    message: str = ""

    def matching(self) -> dict[str, object]:
        return {"operation": self.operation, "message": self.message}


def parse_fault(spec: Mapping[str, object], fault_id: int) -> Fault:
    kind = kit.fault_kind(spec, KINDS)
    operation = spec.get("operation", "")
    if not isinstance(operation, str):
        raise ValueError("operation must be a string (an operation name, or empty for any)")
    seconds = kit.positive_seconds(spec)
    message = spec.get("message", "")
    if not isinstance(message, str) or (message and kind not in SERVER_FAULTS):
        raise ValueError(f"message must be a string, and only for the server faults ({', '.join(SERVER_FAULTS)})")
    return Fault(
        id=fault_id,
        kind=kind,
        operation=operation,
        times=kit.whole_number(spec, "times", 1, 1),
        after=kit.whole_number(spec, "after", 0, 0) or 0,
        seconds=seconds,
        message=message,
    )


class FaultBook(kit.FaultBook[Fault]):
    def __init__(self) -> None:
        super().__init__(parse_fault)

    def take_for(self, operation: str) -> Fault | None:
        """The first live fault for this operation that fails this call, counting the call."""
        return self.take(lambda fault: not fault.operation or fault.operation == operation)
