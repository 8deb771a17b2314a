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

from functools import partial

from sandboxes.kit import faults as kit

ANSWERED = ("429", "500", "503", "garbled")
KINDS = (*ANSWERED, "timeout", "drop")


class FaultBook(kit.PathFaultBook[kit.PathFault]):
    def __init__(self) -> None:
        super().__init__(partial(kit.PathFault.parse, kinds=KINDS))
