"""Injected failures of the Upload, Admin and download APIs: a fault matches requests whose path
(without the `/cloudinary` mount) starts with its `path`, and whose method is its `method` when given.

* `429`, `500`, `503`: Cloudinary's JSON error instead of the call (429 with `Retry-After`);
  nothing is done;
* `timeout`: the answer waits `seconds`, then the connection closes; nothing is done;
* `drop`: the connection closes at once; nothing is done.

Control calls under `/_sandbox/` are never faulted.
"""

from __future__ import annotations

from functools import partial

from sandboxes.cloudinary.errors import CloudinaryError
from sandboxes.kit import faults as kit
from sandboxes.kit.web import Response

KINDS = ("429", "500", "503", "timeout", "drop")
_MESSAGES = {"429": "Rate Limit Exceeded", "500": "General Error", "503": "Service Unavailable"}


def _error(kind: str) -> Response:
    return CloudinaryError(int(kind), _MESSAGES[kind]).response()


def answer(fault: kit.PathFault) -> Response:
    """What the API answers instead of the call (or raises, for a dropped connection)."""
    return kit.answer(fault, _error)


class FaultBook(kit.PathFaultBook[kit.PathFault]):
    def __init__(self) -> None:
        super().__init__(partial(kit.PathFault.parse, kinds=KINDS))
