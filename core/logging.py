"""Request ids for log lines: every line logged while serving a request carries its id.

The id is set when Django starts handling a request (before any middleware) and cleared
when the response is finished, so Django's own "Not Found" and error lines, logged after
the middleware chain, carry it too.

No query string reaches a log line or an error report: an OAuth callback's query holds the
authorisation code and state, others hold what people search for. Django attaches the request
to its "Not Found" and error lines, and the request's repr has the full path with the query.
Nor does a secret carried in a path (an invitation's token, see `core.redaction`): Django's
"Not Found" line quotes the path itself.
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

from core.redaction import redact_path_secrets

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
    """A request as its method and path; a URL, or text quoting one, without the query. Secrets
    in the path are replaced either way."""
    if isinstance(value, HttpRequest):
        return f"{value.method} {redact_path_secrets(value.path)}"
    if isinstance(value, str):
        return redact_path_secrets(_QUERY.sub("", value))
    return value


def _log_argument(value: object) -> object:
    """A string without path secrets, a request as its method and path, anything else as it is."""
    if isinstance(value, str):
        return redact_path_secrets(value)
    if isinstance(value, HttpRequest):
        return without_query(value)
    return value


def _redacted(value: Any) -> Any:
    """What Sentry sends (dicts, lists and plain values), with no path secret in any string."""
    if isinstance(value, dict):
        return {key: _redacted(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_redacted(item) for item in value]
    return _log_argument(value)


class RequestPathFilter(logging.Filter):
    """The `request` Django attaches to a record becomes its method and path; the message and
    its arguments (Django's "Not Found: %s" quotes the path) lose the path secrets."""

    def filter(self, record: logging.LogRecord) -> bool:
        if hasattr(record, "request"):
            record.request = without_query(record.request)
        record.msg = _log_argument(record.msg)
        if isinstance(record.args, dict):
            record.args = {key: _log_argument(value) for key, value in record.args.items()}
        elif record.args:
            record.args = tuple(_log_argument(value) for value in record.args)
        return True


def scrub_sentry_event(event: Event, hint: Hint) -> Event:
    """Sentry's `before_send`: the request's URL without its query, no query string, and no path
    secret anywhere (URL, Referer, message and its parameters, frames' variables, breadcrumbs)."""
    request = event.get("request")
    if isinstance(request, dict):
        request.pop("query_string", None)
        if "url" in request:
            request["url"] = without_query(request["url"])
    extra = event.get("extra")
    if isinstance(extra, dict) and "request" in extra:
        extra["request"] = without_query(extra["request"])
    redacted: Event = _redacted(event)
    return redacted


def scrub_sentry_breadcrumb(crumb: Breadcrumb, hint: BreadcrumbHint) -> Breadcrumb:
    """Sentry's `before_breadcrumb`: log lines' requests and outgoing calls' URLs lose the query,
    and no path secret remains anywhere in it."""
    data = crumb.get("data")
    if isinstance(data, dict):
        data.pop("http.query", None)
        data.pop("http.fragment", None)
        for key in ("url", "request"):
            if key in data:
                data[key] = without_query(data[key])
    if isinstance(crumb.get("message"), str):
        crumb["message"] = without_query(crumb["message"])
    redacted: Breadcrumb = _redacted(crumb)
    return redacted
