"""Request ids for log lines: every line logged while serving a request carries its id.

The id is set when Django starts handling a request (before any middleware) and cleared
when the response is finished, so Django's own "Not Found" and error lines, logged after
the middleware chain, carry it too.
"""

from __future__ import annotations

import logging
import re
import uuid
from contextvars import ContextVar
from typing import Any

from django.core.signals import request_finished, request_started
from django.dispatch import receiver

request_id_var: ContextVar[str] = ContextVar("request_id", default="-")

_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


@receiver(request_started)
def assign_request_id(sender: Any, environ: dict[str, Any] | None = None, **kwargs: Any) -> None:
    # Keep a proxy's id when it is a sane token, so one id follows the request end to end.
    incoming = str((environ or {}).get("HTTP_X_REQUEST_ID", ""))
    request_id_var.set(incoming if _VALID_REQUEST_ID.match(incoming) else uuid.uuid4().hex)


@receiver(request_finished)
def clear_request_id(sender: Any, **kwargs: Any) -> None:
    request_id_var.set("-")
