"""Request ids for log lines: every line logged while serving a request carries its id.

The id is set when Django starts handling a request (before any middleware) and cleared
when the response is finished, so Django's own "Not Found" and error lines, logged after
the middleware chain, carry it too.

No query string reaches a log line or an error report: an OAuth callback's query holds the
authorisation code and state, others hold what people search for. Django attaches the request
to its "Not Found" and error lines, and the request's repr has the full path with the query.
"""

from __future__ import annotations

import logging
import re
import uuid
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from django.core.signals import request_finished, request_started
from django.dispatch import receiver
from django.http import HttpRequest

if TYPE_CHECKING:
    from sentry_sdk.types import Breadcrumb, BreadcrumbHint, Event, Hint

request_id_var: ContextVar[str] = ContextVar("request_id", default="-")

_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
_QUERY = re.compile(r"[?#][^\s'\"<>]*")


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


def without_query(value: object) -> object:
    """A request as its method and path; a URL, or text quoting one, without the query."""
    if isinstance(value, HttpRequest):
        return f"{value.method} {value.path}"
    if isinstance(value, str):
        return _QUERY.sub("", value)
    return value


class RequestPathFilter(logging.Filter):
    """The `request` Django attaches to a record becomes its method and path."""

    def filter(self, record: logging.LogRecord) -> bool:
        if hasattr(record, "request"):
            record.request = without_query(record.request)
        return True


def scrub_sentry_event(event: Event, hint: Hint) -> Event:
    """Sentry's `before_send`: the request's URL without its query, and no query string."""
    request = event.get("request")
    if isinstance(request, dict):
        request.pop("query_string", None)
        if "url" in request:
            request["url"] = without_query(request["url"])
    extra = event.get("extra")
    if isinstance(extra, dict) and "request" in extra:
        extra["request"] = without_query(extra["request"])
    return event


def scrub_sentry_breadcrumb(crumb: Breadcrumb, hint: BreadcrumbHint) -> Breadcrumb:
    """Sentry's `before_breadcrumb`: log lines' requests and outgoing calls' URLs lose the query."""
    data = crumb.get("data")
    if isinstance(data, dict):
        data.pop("http.query", None)
        data.pop("http.fragment", None)
        for key in ("url", "request"):
            if key in data:
                data[key] = without_query(data[key])
    if isinstance(crumb.get("message"), str):
        crumb["message"] = without_query(crumb["message"])
    return crumb
