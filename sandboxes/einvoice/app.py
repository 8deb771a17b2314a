"""The WSGI application: routing, the API key, injected faults and FastAPI-style error answers.

Everything is served both at the root and under `/einvoice` (`/einvoice/api/…`,
`/einvoice/_sandbox/…`, see `mount.py`).
"""

from __future__ import annotations

import hmac
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sandboxes.einvoice import api, control, webhook_api
from sandboxes.einvoice.errors import ApiError, error_response, unauthorized
from sandboxes.einvoice.faults import Fault
from sandboxes.einvoice.mount import local_path
from sandboxes.kit import faults, routing
from sandboxes.kit.routing import path_pattern
from sandboxes.kit.web import ControlError, DropConnection, Request, Response, json_response, send

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIEnvironment

    from sandboxes.einvoice.state import EInvoiceSandbox

Handler = Callable[["EInvoiceSandbox", Request, dict[str, str]], Response]
# Starlette's answer to an unhandled exception is plain text; a proxy in front answers in HTML [I].
SERVER_ERROR = b"Internal Server Error"
PROXY_PAGE = (
    "<html>\r\n<head><title>{0}</title></head>\r\n<body>\r\n<center><h1>{0}</h1></center>\r\n</body>\r\n</html>\r\n"
)


@dataclass(frozen=True, slots=True)
class Route:
    method: str
    pattern: re.Pattern[str]
    handler: Handler
    kind: str = "api"  # api: needs the key and may be faulted; file: a signed link; control: the sandbox's own


def _route(method: str, template: str, handler: Handler, kind: str = "api") -> Route:
    return Route(method, path_pattern(template), handler, kind)


def _control(method: str, template: str, handler: Handler) -> Route:
    return _route(method, f"/_sandbox{template}", handler, "control")


ROUTES = (
    _route("POST", "/api/documents/ubl", api.create_from_ubl),
    _route("GET", "/api/documents/{id}", api.get_document),
    _route("DELETE", "/api/documents/{id}", api.delete_document),
    _route("POST", "/api/documents/{id}/send", api.send_document),
    _route("GET", "/api/documents/{id}/timeline", api.timeline),
    _route("GET", "/api/documents/{id}/ubl", api.ubl_file),
    _route("POST", "/api/documents/{id}/validate", api.validate_document),
    _route("POST", "/api/validate/ubl", api.validate_ubl),
    _route("GET", "/api/validate/peppol-id", api.validate_peppol_id),
    _route("GET", "/api/lookup", api.lookup),
    _route("GET", "/api/lookup/participants", api.lookup_participants),
    _route("GET", "/api/inbox", api.inbox),
    _route("GET", "/api/inbox/invoices", api.inbox_invoices),
    _route("GET", "/api/inbox/credit-notes", api.inbox_credit_notes),
    _route("GET", "/api/outbox", api.outbox),
    _route("GET", "/api/outbox/drafts", api.outbox_drafts),
    _route("GET", "/api/me", api.me),
    _route("GET", "/api/webhooks", webhook_api.list_webhooks),
    _route("POST", "/api/webhooks", webhook_api.create_webhook),
    _route("GET", "/api/webhooks/{id}", webhook_api.get_webhook),
    _route("PUT", "/api/webhooks/{id}", webhook_api.update_webhook),
    _route("DELETE", "/api/webhooks/{id}", webhook_api.delete_webhook),
    _route("GET", "/api/webhooks/{id}/history", webhook_api.history),
    _route("POST", "/api/webhooks/{id}/test", webhook_api.test_webhook),
    _route("GET", "/files/{id}/{name}", api.download, "file"),
    _control("GET", "", control.index),
    _control("POST", "/inbox", control.deliver),
    _control("GET", "/participants", control.list_participants),
    _control("POST", "/participants", control.put_participant),
    _control("DELETE", "/participants/{id}", control.remove_participant),
    _control("POST", "/documents/{id}/responses", control.add_response),
    _control("GET", "/webhooks", control.webhook_deliveries),
    _control("POST", "/events/{id}/redeliver", control.redeliver),
    _control("GET", "/faults", control.list_faults),
    _control("POST", "/faults", control.add_fault),
    _control("DELETE", "/faults", control.clear_faults),
    _control("GET", "/clock", control.clock),
    _control("POST", "/clock", control.clock),
    _control("GET", "/settings", control.settings),
    _control("POST", "/settings", control.settings),
)


def _fault_error(kind: str) -> Response:
    """An injected fault's answer: the API's own 429, the framework's 500, a proxy's 502 or 503."""
    if kind == "429":
        return error_response(ApiError(429, "Too Many Requests"))
    if kind == "500":
        return Response(500, SERVER_ERROR, [("Content-Type", "text/plain; charset=utf-8")])
    title = "502 Bad Gateway" if kind == "502" else "503 Service Temporarily Unavailable"
    return Response(int(kind), PROXY_PAGE.format(title).encode(), [("Content-Type", "text/html")])


def _fault_response(fault: Fault) -> Response | None:
    """What an injected fault answers instead of the call; None when the call goes ahead."""
    if fault.kind == "accepted_timeout":
        return None  # carried out; the answer is held back and dropped afterwards
    response = faults.answer(fault, _fault_error, retry_header="retry-after")
    if fault.should_retry is not None:
        response.headers.append(("x-should-retry", "true" if fault.should_retry else "false"))
    return response


class EInvoiceApp:
    """`app(environ, start_response)`: the simulated access point as one WSGI callable."""

    def __init__(self, sandbox: EInvoiceSandbox) -> None:
        self.sandbox = sandbox

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        return send(self.respond(Request.from_environ(environ)), start_response)  # DropConnection goes up

    def respond(self, request: Request) -> Response:
        try:
            return self._dispatch(request)
        except ApiError as error:
            return error_response(error)
        except ControlError as error:
            return json_response({"error": error.detail}, error.status)
        except DropConnection:
            raise
        except Exception:  # noqa: BLE001 - a simulator answers 500 like the real thing, it does not crash
            return Response(500, SERVER_ERROR, [("Content-Type", "text/plain; charset=utf-8")])

    def _authorized(self, request: Request) -> bool:
        scheme, _, key = request.headers.get("authorization", "").partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(key.strip().encode(), self.sandbox.api_key.encode())

    def _dispatch(self, request: Request) -> Response:
        self.sandbox.tick()
        path = local_path(request.path)
        try:
            found = routing.resolve(ROUTES, request.method, path)
        except routing.MethodNotAllowed:
            if path.startswith("/_sandbox"):
                raise ControlError(405, f"{request.method} is not allowed on {path}") from None
            raise ApiError(405, "Method Not Allowed") from None
        route = found[0] if found else None
        fault = None
        if route is None or route.kind != "control":
            fault = self.sandbox.faults.take_for(request.method, path)
            response = _fault_response(fault) if fault is not None else None
            if response is not None:
                return response
        if found is None:
            if path.startswith("/_sandbox"):
                raise ControlError(404, f"no control endpoint at {path}")
            raise ApiError(404, "Not Found")
        route, params = found
        if route.kind == "api" and not self._authorized(request):
            raise unauthorized()
        try:
            response = route.handler(self.sandbox, request, params)
        except ApiError as error:
            response = error_response(error)
        if fault is not None and fault.kind == "accepted_timeout":
            time.sleep(fault.seconds)
            raise DropConnection
        return response
