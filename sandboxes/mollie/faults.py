"""Injected transport failures of the payment sandboxes (Mollie and Paystack share this module).

A fault matches requests whose API path (without the mount prefix) starts with its `path`, and
whose method is its `method` when one is given; it lets the first `after` matching requests
through, then fails the next `times` ones (`times: null` = until cleared). Checkout pages and
control calls are never faulted.

* `429`, `500`, `503`: answered instead of the call (each sandbox words the answer as its vendor
  does), nothing is done; 429 carries `Retry-After: <retry_after>`;
* `garbled`: a `200` with well-formed JSON that is not what the call returns (a broken release,
  a misbehaving intermediary); nothing is done;
* `timeout`: the answer waits `seconds`, then the connection closes; nothing is done;
* `drop`: the connection closes at once; nothing is done.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import NoReturn

from sandboxes.kit import faults as kit
from sandboxes.kit.web import DropConnection

ANSWERED = ("429", "500", "503", "garbled")
KINDS = (*ANSWERED, "timeout", "drop")


@dataclass(slots=True)
class Fault(kit.Fault):
    path: str = ""
    method: str = ""
    retry_after: int = 1

    def matches(self, method: str, path: str) -> bool:
        return path.startswith(self.path) and (not self.method or self.method == method)

    def matching(self) -> dict[str, object]:
        return {"path": self.path, "method": self.method, "retry_after": self.retry_after}


def parse_fault(spec: Mapping[str, object], fault_id: int) -> Fault:
    """A fault from its JSON description; ValueError says what is wrong with it."""
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
        """The first fault that fails this request, if any, counting the request."""
        return self.take(lambda fault: fault.matches(method, path))


def cut_off(fault: Fault) -> NoReturn:
    """A `timeout` or `drop`: the connection closes without an answer (DropConnection)."""
    if fault.kind == "timeout":
        time.sleep(fault.seconds)
    raise DropConnection
