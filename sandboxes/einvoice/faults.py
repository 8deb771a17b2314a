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
class Fault(kit.PathFault):
    should_retry: bool | None = None
    message: str = ""

    def matching(self) -> dict[str, object]:
        return {**kit.PathFault.matching(self), "should_retry": self.should_retry, "message": self.message}


def parse_fault(spec: Mapping[str, object], fault_id: int) -> Fault:
    """A fault from its JSON description; ValueError says what is wrong with it."""
    message, should_retry = spec.get("message", ""), spec.get("should_retry")
    if not isinstance(message, str):
        raise ValueError("message must be a string")
    if should_retry is not None and not isinstance(should_retry, bool):
        raise ValueError("should_retry must be true, false or null")
    fault = Fault.parse(spec, fault_id, KINDS, should_retry=should_retry, message=message)
    if fault.kind == "send_failure" and not message:
        fault.message = AS4_ERROR
    return fault


class FaultBook(kit.FaultBook[Fault]):
    def __init__(self) -> None:
        super().__init__(parse_fault)

    def take_for(self, method: str, path: str) -> Fault | None:
        """The first transport fault that fails this request, if any, counting the request."""
        return self.take(lambda fault: fault.kind in TRANSPORT_KINDS and fault.matches(method, path))

    def take_send_failure(self) -> Fault | None:
        return self.take(lambda fault: fault.kind == "send_failure")
