"""The WSGI application: routing, the secret key, injected faults and Paystack's error answers.
Served at the root and under `/paystack` (see `mount.py`)."""

from __future__ import annotations

import hmac
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sandboxes.kit import faults, routing
from sandboxes.kit.routing import path_pattern
from sandboxes.kit.web import ControlError, Request, Response, json_response, send
from sandboxes.paystack import api, checkout, control
from sandboxes.paystack.errors import PaystackError, error_response
from sandboxes.paystack.mount import local_path

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIEnvironment

    from sandboxes.paystack.state import PaystackSandbox

Handler = Callable[["PaystackSandbox", Request, dict[str, str]], Response]
API, PAGE, CONTROL = "api", "page", "control"
PROXY_PAGE = "<html><head><title>503 Service Temporarily Unavailable</title></head><body></body></html>"


@dataclass(frozen=True, slots=True)
class Route:
    method: str
    pattern: re.Pattern[str]
    handler: Handler
    kind: str = API


def _route(method: str, template: str, handler: Handler, kind: str = API) -> Route:
    return Route(method, path_pattern(template), handler, kind)


def _control(method: str, template: str, handler: Handler) -> Route:
    return _route(method, f"/_sandbox{template}", handler, CONTROL)


ROUTES = (
    _route("POST", "/transaction/initialize", api.initialize),
    _route("GET", "/transaction/verify/{reference}", api.verify),
    _route("GET", "/transaction/{id}", api.fetch),
    _route("POST", "/refund", api.create_refund),
    _route("GET", "/refund", api.list_refunds),
    _route("GET", "/refund/{id}", api.fetch_refund),
    _route("GET", "/settlement", api.list_settlements),
    _route("GET", "/settlement/{id}/transactions", api.settlement_transactions),
    _route("GET", "/checkout/{code}", checkout.show, PAGE),
    _route("POST", "/checkout/{code}", checkout.submit, PAGE),
    _control("GET", "", control.index),
    _control("POST", "/transactions/{reference}/complete", control.complete),
    _control("POST", "/transactions/{reference}/redeliver", control.redeliver),
    _control("GET", "/webhooks", control.webhooks),
    _control("POST", "/webhooks/release", control.release),
    _control("POST", "/refunds/process", control.process_refunds),
    _control("POST", "/settlements", control.settle),
    _control("GET", "/faults", control.list_faults),
    _control("POST", "/faults", control.add_fault),
    _control("DELETE", "/faults", control.clear_faults),
    _control("GET", "/clock", control.clock),
    _control("POST", "/clock", control.clock),
    _control("GET", "/settings", control.settings),
    _control("POST", "/settings", control.settings),
)


def _fault_error(kind: str) -> Response:
    """An injected fault's answer, worded as Paystack (or the proxy in front of it) does."""
    if kind == "429":
        return error_response(PaystackError(429, "Too many requests. Please retry after some time."))
    if kind == "500":
        return error_response(PaystackError(500, "An error occurred while processing your request"))
    if kind == "503":
        return Response(503, PROXY_PAGE.encode(), [("Content-Type", "text/html")])
    return json_response({"status": True, "message": "OK", "data": "garbled"})


class PaystackApp:
    """`app(environ, start_response)`: the simulated Paystack API as one WSGI callable."""

    def __init__(self, sandbox: PaystackSandbox) -> None:
        self.sandbox = sandbox

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        return send(self.respond(Request.from_environ(environ)), start_response)  # DropConnection goes up

    def respond(self, request: Request) -> Response:
        try:
            return self._dispatch(request)
        except PaystackError as error:
            return error_response(error)
        except ControlError as error:
            return json_response({"error": error.detail}, error.status)

    def _dispatch(self, request: Request) -> Response:
        self.sandbox.tick()
        path = local_path(request.path)
        try:
            found = routing.resolve(ROUTES, request.method, path)
        except routing.MethodNotAllowed:
            if path.startswith("/_sandbox"):
                raise ControlError(405, f"{request.method} is not allowed on {path}") from None
            raise PaystackError(405, "Method not allowed") from None
        if found is None:
            if path.startswith("/_sandbox"):
                raise ControlError(404, f"no control endpoint at {path}")
            raise PaystackError(404, "Route not found")
        route, params = found
        if route.kind == API:
            fault = self.sandbox.faults.take_for(request.method, path)
            if fault is not None:
                return faults.answer(fault, _fault_error)
            scheme, _, key = request.headers.get("authorization", "").partition(" ")
            valid = hmac.compare_digest(key.strip().encode(), self.sandbox.secret_key.encode())
            if scheme.lower() != "bearer" or not valid:
                raise PaystackError(401, "Invalid key")
        return route.handler(self.sandbox, request, params)
