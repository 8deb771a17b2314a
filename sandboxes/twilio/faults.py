"""Injected failures of the REST API: a fault matches requests whose path (without the `/twilio`
mount) starts with its `path`, and whose method is its `method` when one is given.

* `429`, `500`, `503`: Twilio's JSON error (20429 with `Retry-After`, 20500, 20503) instead of the
  call; nothing is done;
* `timeout`: the answer waits `seconds`, then the connection closes; nothing is done;
* `drop`: the connection closes at once; nothing is done.

Control calls under `/_sandbox/` are never faulted.
"""

from __future__ import annotations

from functools import partial

from sandboxes.kit import faults as kit
from sandboxes.kit.web import Response
from sandboxes.twilio.errors import TwilioError

KINDS = ("429", "500", "503", "timeout", "drop")
_CODES = {"429": 20429, "500": 20500, "503": 20503}


def _error(kind: str) -> Response:
    return TwilioError(int(kind), _CODES[kind]).response()


def answer(fault: kit.PathFault) -> Response:
    """What the API answers instead of the call (or raises, for a dropped connection)."""
    return kit.answer(fault, _error)


class FaultBook(kit.PathFaultBook[kit.PathFault]):
    def __init__(self) -> None:
        super().__init__(partial(kit.PathFault.parse, kinds=KINDS))
