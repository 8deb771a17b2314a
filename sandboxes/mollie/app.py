"""The WSGI application: routing, Bearer authentication, idempotency keys, injected faults and
Mollie's error answers. Served at the root and under `/mollie` (see `mount.py`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from sandboxes.kit import faults
from sandboxes.kit.app import SandboxApp
from sandboxes.kit.routing import (
    API,
    control_endpoint,
    endpoint,
    fault_and_clock_endpoints,
    settings_endpoints,
    unmounted,
)
from sandboxes.kit.web import Request, Response, bearer_is, json_response, proxy_page
from sandboxes.mollie import api, checkout, control
from sandboxes.mollie.errors import HAL, MollieError, error_response
from sandboxes.mollie.mount import PREFIX

if TYPE_CHECKING:
    from sandboxes.mollie.state import MollieSandbox

# Kinds: api needs the API key; settlements an organization access token; page and control are open.
SETTLEMENTS, PAGE = "settlements", "page"
UNAUTHORIZED = "Missing authentication, or failed to authenticate"
PROXY_PAGE = "<html><head><title>503 Service Unavailable</title></head><body><h1>503</h1></body></html>"


ROUTES = (
    endpoint("POST", "/v2/payments", api.create_payment),
    endpoint("GET", "/v2/payments", api.list_payments),
    endpoint("GET", "/v2/payments/{id}", api.get_payment),
    endpoint("DELETE", "/v2/payments/{id}", api.cancel_payment),
    endpoint("POST", "/v2/payments/{id}/refunds", api.create_refund),
    endpoint("GET", "/v2/payments/{id}/refunds", api.list_refunds),
    endpoint("GET", "/v2/payments/{id}/refunds/{refund}", api.get_refund),
    endpoint("DELETE", "/v2/payments/{id}/refunds/{refund}", api.cancel_refund),
    endpoint("GET", "/v2/payments/{id}/chargebacks", api.list_chargebacks),
    endpoint("GET", "/v2/payments/{id}/chargebacks/{chargeback}", api.get_chargeback),
    endpoint("GET", "/v2/settlements", api.list_settlements, SETTLEMENTS),
    endpoint("GET", "/v2/settlements/{id}", api.get_settlement, SETTLEMENTS),
    endpoint("GET", "/v2/settlements/{id}/payments", api.list_settlement_payments, SETTLEMENTS),
    endpoint("GET", "/v2/settlements/{id}/refunds", api.list_settlement_refunds, SETTLEMENTS),
    endpoint("GET", "/checkout/{id}", checkout.show, PAGE),
    endpoint("POST", "/checkout/{id}", checkout.submit, PAGE),
    control_endpoint("GET", "", control.index),
    control_endpoint("POST", "/payments/{id}/complete", control.complete),
    control_endpoint("POST", "/payments/{id}/redeliver", control.redeliver),
    control_endpoint("POST", "/payments/{id}/chargebacks", control.chargeback),
    control_endpoint("POST", "/payments/{id}/chargebacks/{chargeback}/reverse", control.reverse_chargeback),
    control_endpoint("GET", "/webhooks", control.webhooks),
    control_endpoint("POST", "/webhooks/release", control.release),
    control_endpoint("POST", "/expire", control.expire),
    control_endpoint("POST", "/refunds/process", control.process_refunds),
    control_endpoint("POST", "/settlements", control.settle),
    *fault_and_clock_endpoints(control),
    *settings_endpoints(control.settings),
)


def _fault_error(kind: str) -> Response:
    """An injected fault's answer, worded as Mollie (or the proxy in front of it) does."""
    if kind == "429":
        return error_response(MollieError(429, "You have exceeded the rate limit. Please try again later."))
    if kind == "500":
        return error_response(MollieError(500, "An internal server error occurred while processing your request"))
    if kind == "503":
        return proxy_page(503, PROXY_PAGE)
    return json_response({"resource": "garbled"}, 200, HAL)


class MollieApp(SandboxApp["MollieSandbox"]):
    """`app(environ, start_response)`: the simulated Mollie API as one WSGI callable."""

    def __init__(self, sandbox: MollieSandbox) -> None:
        super().__init__(sandbox)
        self._replays: dict[tuple[str, str, str], Response] = {}

    def refusal(self, status: int, request: Request, path: str) -> Exception:
        if status == 405:
            return MollieError(405, f"The method {request.method} is not allowed on this resource")
        return MollieError(404, "The resource could not be found")

    def error_answer(self, error: Exception) -> Response | None:
        return error_response(error) if isinstance(error, MollieError) else None

    def dispatch(self, request: Request) -> Response:
        self.sandbox.tick()
        path = unmounted(request.path, PREFIX)
        route, params = self.find(ROUTES, request, path)
        if route.kind in (API, SETTLEMENTS):
            fault = self.sandbox.faults.take_for(request.method, path)
            if fault is not None:
                return faults.answer(fault, _fault_error)
            self._authenticate(request, route.kind)
        if route.kind == API and request.method in ("POST", "DELETE"):
            return self._idempotent(request, lambda: route.handler(self.sandbox, request, params))
        return route.handler(self.sandbox, request, params)

    def _authenticate(self, request: Request, kind: str) -> None:
        wanted = self.sandbox.access_token if kind == SETTLEMENTS else self.sandbox.api_key
        if not bearer_is(request, wanted):
            token = request.headers.get("authorization", "").partition(" ")[2]
            if kind == SETTLEMENTS and token.strip() == self.sandbox.api_key:
                raise MollieError(403, "This endpoint is not available with an API key; use an access token")
            raise MollieError(401, UNAUTHORIZED)

    def _idempotent(self, request: Request, handle: Callable[[], Response]) -> Response:
        """The same `Idempotency-Key` on the same call gets the first answer again, marked
        `Idempotent-Replayed` (api-idempotency guide), so a retried create makes one payment."""
        key = request.headers.get("idempotency-key", "")
        if not key:
            return handle()
        slot = (request.method, unmounted(request.path, PREFIX), key)
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
