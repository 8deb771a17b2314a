"""The WSGI application: routing, Bearer authentication, idempotency keys, injected faults and
Mollie's error answers. Served at the root and under `/mollie` (see `mount.py`)."""

from __future__ import annotations

import hmac
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sandboxes.kit import routing
from sandboxes.kit.routing import path_pattern
from sandboxes.kit.web import ControlError, Request, Response, json_response, send
from sandboxes.mollie import api, checkout, control
from sandboxes.mollie.errors import HAL, MollieError, error_response
from sandboxes.mollie.faults import Fault, cut_off
from sandboxes.mollie.mount import local_path

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIEnvironment

    from sandboxes.mollie.state import MollieSandbox

Handler = Callable[["MollieSandbox", Request, dict[str, str]], Response]
# Kinds: api needs the API key; settlements an organization access token; page and control are open.
API, SETTLEMENTS, PAGE, CONTROL = "api", "settlements", "page", "control"
UNAUTHORIZED = "Missing authentication, or failed to authenticate"
PROXY_PAGE = "<html><head><title>503 Service Unavailable</title></head><body><h1>503</h1></body></html>"


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
    _route("POST", "/v2/payments", api.create_payment),
    _route("GET", "/v2/payments", api.list_payments),
    _route("GET", "/v2/payments/{id}", api.get_payment),
    _route("DELETE", "/v2/payments/{id}", api.cancel_payment),
    _route("POST", "/v2/payments/{id}/refunds", api.create_refund),
    _route("GET", "/v2/payments/{id}/refunds", api.list_refunds),
    _route("GET", "/v2/payments/{id}/refunds/{refund}", api.get_refund),
    _route("DELETE", "/v2/payments/{id}/refunds/{refund}", api.cancel_refund),
    _route("GET", "/v2/payments/{id}/chargebacks", api.list_chargebacks),
    _route("GET", "/v2/payments/{id}/chargebacks/{chargeback}", api.get_chargeback),
    _route("GET", "/v2/settlements", api.list_settlements, SETTLEMENTS),
    _route("GET", "/v2/settlements/{id}", api.get_settlement, SETTLEMENTS),
    _route("GET", "/v2/settlements/{id}/payments", api.list_settlement_payments, SETTLEMENTS),
    _route("GET", "/v2/settlements/{id}/refunds", api.list_settlement_refunds, SETTLEMENTS),
    _route("GET", "/checkout/{id}", checkout.show, PAGE),
    _route("POST", "/checkout/{id}", checkout.submit, PAGE),
    _control("GET", "", control.index),
    _control("POST", "/payments/{id}/complete", control.complete),
    _control("POST", "/payments/{id}/redeliver", control.redeliver),
    _control("POST", "/payments/{id}/chargebacks", control.chargeback),
    _control("POST", "/payments/{id}/chargebacks/{chargeback}/reverse", control.reverse_chargeback),
    _control("GET", "/webhooks", control.webhooks),
    _control("POST", "/webhooks/release", control.release),
    _control("POST", "/expire", control.expire),
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


def _fault_response(fault: Fault) -> Response:
    """What an injected fault answers instead of the call (or the connection is cut)."""
    if fault.kind == "429":
        response = error_response(MollieError(429, "You have exceeded the rate limit. Please try again later."))
        response.headers.append(("Retry-After", str(fault.retry_after)))
        return response
    if fault.kind == "500":
        return error_response(MollieError(500, "An internal server error occurred while processing your request"))
    if fault.kind == "503":
        return Response(503, PROXY_PAGE.encode(), [("Content-Type", "text/html")])
    if fault.kind == "garbled":
        return json_response({"resource": "garbled"}, 200, HAL)
    cut_off(fault)


class MollieApp:
    """`app(environ, start_response)`: the simulated Mollie API as one WSGI callable."""

    def __init__(self, sandbox: MollieSandbox) -> None:
        self.sandbox = sandbox
        self._replays: dict[tuple[str, str, str], Response] = {}

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        return send(self.respond(Request.from_environ(environ)), start_response)  # DropConnection goes up

    def respond(self, request: Request) -> Response:
        try:
            return self._dispatch(request)
        except MollieError as error:
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
            raise MollieError(405, f"The method {request.method} is not allowed on this resource") from None
        if found is None:
            if path.startswith("/_sandbox"):
                raise ControlError(404, f"no control endpoint at {path}")
            raise MollieError(404, "The resource could not be found")
        route, params = found
        if route.kind in (API, SETTLEMENTS):
            fault = self.sandbox.faults.take_for(request.method, path)
            if fault is not None:
                return _fault_response(fault)
            self._authenticate(request, route.kind)
        if route.kind == API and request.method in ("POST", "DELETE"):
            return self._idempotent(request, lambda: route.handler(self.sandbox, request, params))
        return route.handler(self.sandbox, request, params)

    def _authenticate(self, request: Request, kind: str) -> None:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        wanted = self.sandbox.access_token if kind == SETTLEMENTS else self.sandbox.api_key
        if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip().encode(), wanted.encode()):
            if kind == SETTLEMENTS and token.strip() == self.sandbox.api_key:
                raise MollieError(403, "This endpoint is not available with an API key; use an access token")
            raise MollieError(401, UNAUTHORIZED)

    def _idempotent(self, request: Request, handle: Callable[[], Response]) -> Response:
        """The same `Idempotency-Key` on the same call gets the first answer again, marked
        `Idempotent-Replayed` (api-idempotency guide), so a retried create makes one payment."""
        key = request.headers.get("idempotency-key", "")
        if not key:
            return handle()
        slot = (request.method, local_path(request.path), key)
        with self.sandbox.lock:
            replay = self._replays.get(slot)
        if replay is not None:
            return Response(replay.status, replay.body, [*replay.headers, ("Idempotent-Replayed", "true")])
        try:
            response = handle()
        except MollieError as error:
            response = error_response(error)
        with self.sandbox.lock:
            self._replays.setdefault(slot, response)
        return response
