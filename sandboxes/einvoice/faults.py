"""Injected failures of the access point's API, and of a send on the Peppol network.

A fault matches requests whose API path (without the `/einvoice` mount) starts with its `path`,
and whose method is its `method` when one is given; it lets the first `after` matching requests
through, then fails the next `times` ones (`times: null` = until cleared). Control calls under
`/_sandbox/` are never faulted.

* `429` (with `retry-after: <retry_after>`), `500`, `502`, `503`: answered instead of the call,
  nothing is done. 500 is the framework's plain-text page, 502/503 a proxy's HTML page: a client
  must not expect JSON from a server error. `should_retry` adds `x-should-retry: true|false`,
  which the SDK honours;
* `timeout`: the answer waits `seconds`, then the connection closes; nothing is done;
* `drop`: the connection closes at once; nothing is done;
* `accepted_timeout`: the call **is carried out** (an upload creates its document, a send starts),
  then the answer waits `seconds` and the connection closes: the client cannot know it worked;
* `send_failure`: not an HTTP fault: the next `times` sends end in FAILED with an AS4 error
  (`message`), whatever the receiver.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sandboxes.kit import faults as kit

ANSWERED = ("429", "500", "502", "503")
TRANSPORT_KINDS = (*ANSWERED, "timeout", "drop", "accepted_timeout")
KINDS = (*TRANSPORT_KINDS, "send_failure")
AS4_ERROR = "AS4 transmission failed: the receiving access point did not acknowledge the message."


@dataclass(slots=True)
class Fault(kit.Fault):
    path: str = ""
    method: str = ""
    retry_after: int = 1
    should_retry: bool | None = None
    message: str = ""

    def matches(self, method: str, path: str) -> bool:
        return path.startswith(self.path) and (not self.method or self.method == method)

    def matching(self) -> dict[str, object]:
        return {
            "path": self.path,
            "method": self.method,
            "retry_after": self.retry_after,
            "should_retry": self.should_retry,
            "message": self.message,
        }


def parse_fault(spec: Mapping[str, object], fault_id: int) -> Fault:
    """A fault from its JSON description; ValueError says what is wrong with it."""
    kind = kit.fault_kind(spec, KINDS)
    path, method, message = spec.get("path", ""), spec.get("method", ""), spec.get("message", "")
    if not isinstance(path, str) or not isinstance(method, str) or not isinstance(message, str):
        raise ValueError("path, method and message must be strings")
    should_retry = spec.get("should_retry")
    if should_retry is not None and not isinstance(should_retry, bool):
        raise ValueError("should_retry must be true, false or null")
    return Fault(
        id=fault_id,
        kind=kind,
        path=path,
        method=method.upper(),
        times=kit.whole_number(spec, "times", 1, 1),
        after=kit.whole_number(spec, "after", 0, 0) or 0,
        seconds=kit.positive_seconds(spec),
        retry_after=kit.whole_number(spec, "retry_after", 1, 0) or 0,
        should_retry=should_retry,
        message=message or (AS4_ERROR if kind == "send_failure" else ""),
    )


class FaultBook(kit.FaultBook[Fault]):
    def __init__(self) -> None:
        super().__init__(parse_fault)

    def take_for(self, method: str, path: str) -> Fault | None:
        """The first transport fault that fails this request, if any, counting the request."""
        return self.take(lambda fault: fault.kind in TRANSPORT_KINDS and fault.matches(method, path))

    def take_send_failure(self) -> Fault | None:
        return self.take(lambda fault: fault.kind == "send_failure")
