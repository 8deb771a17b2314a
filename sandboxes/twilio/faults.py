"""Injected failures of the REST API: a fault matches requests whose path (without the `/twilio`
mount) starts with its `path`, and whose method is its `method` when one is given.

* `429`, `500`, `503`: Twilio's JSON error (20429 with `Retry-After`, 20500, 20503) instead of the
  call; nothing is done;
* `timeout`: the answer waits `seconds`, then the connection closes; nothing is done;
* `drop`: the connection closes at once; nothing is done.

Control calls under `/_sandbox/` are never faulted.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass

from sandboxes.kit import faults as kit
from sandboxes.kit.web import DropConnection, Response
from sandboxes.twilio.errors import TwilioError

KINDS = ("429", "500", "503", "timeout", "drop")
_CODES = {"429": 20429, "500": 20500, "503": 20503}


@dataclass(slots=True)
class Fault(kit.Fault):
    path: str = ""
    method: str = ""
    retry_after: int = 1

    def matches(self, method: str, path: str) -> bool:
        return path.startswith(self.path) and (not self.method or self.method == method)

    def matching(self) -> dict[str, object]:
        return {"path": self.path, "method": self.method, "retry_after": self.retry_after}

    def answer(self) -> Response:
        """What the API answers instead of the call (or raises, for a dropped connection)."""
        if self.kind == "timeout":
            time.sleep(self.seconds)
            raise DropConnection
        if self.kind == "drop":
            raise DropConnection
        headers = (("Retry-After", str(self.retry_after)),) if self.kind == "429" else ()
        return TwilioError(int(self.kind), _CODES[self.kind]).response(headers)


def parse_fault(spec: Mapping[str, object], fault_id: int) -> Fault:
    kind = kit.fault_kind(spec, KINDS)
    path, method = spec.get("path", ""), spec.get("method", "")
    if not isinstance(path, str) or not isinstance(method, str):
        raise ValueError("path and method must be strings")
    return Fault(
        id=fault_id,
        kind=kind,
        path=path,
        method=method.upper(),
        times=kit.whole_number(spec, "times", 1, 1),
        after=kit.whole_number(spec, "after", 0, 0) or 0,
        seconds=kit.positive_seconds(spec),
        retry_after=kit.whole_number(spec, "retry_after", 1, 0) or 0,
    )


class FaultBook(kit.FaultBook[Fault]):
    def __init__(self) -> None:
        super().__init__(parse_fault)

    def take_for(self, method: str, path: str) -> Fault | None:
        return self.take(lambda fault: fault.matches(method, path))
