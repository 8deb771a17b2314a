"""The WSGI application: routing, the secret key, injected faults and Paystack's error answers.
Served at the root and under `/paystack` (see `mount.py`)."""

from __future__ import annotations

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
from sandboxes.paystack import api, checkout, control
from sandboxes.paystack.errors import PaystackError, error_response
from sandboxes.paystack.mount import PREFIX

if TYPE_CHECKING:
    from sandboxes.paystack.state import PaystackSandbox  # noqa: F401 - named as a string in the base class

PAGE = "page"  # the payer's checkout page: open and never faulted; the API needs the secret key
PROXY_PAGE = "<html><head><title>503 Service Temporarily Unavailable</title></head><body></body></html>"


ROUTES = (
    endpoint("POST", "/transaction/initialize", api.initialize),
    endpoint("GET", "/transaction/verify/{reference}", api.verify),
    endpoint("GET", "/transaction/{id}", api.fetch),
    endpoint("POST", "/refund", api.create_refund),
    endpoint("GET", "/refund", api.list_refunds),
    endpoint("GET", "/refund/{id}", api.fetch_refund),
    endpoint("GET", "/settlement", api.list_settlements),
    endpoint("GET", "/settlement/{id}/transactions", api.settlement_transactions),
    endpoint("GET", "/checkout/{code}", checkout.show, PAGE),
    endpoint("POST", "/checkout/{code}", checkout.submit, PAGE),
    control_endpoint("GET", "", control.index),
    control_endpoint("POST", "/transactions/{reference}/complete", control.complete),
    control_endpoint("POST", "/transactions/{reference}/redeliver", control.redeliver),
    control_endpoint("GET", "/webhooks", control.webhooks),
    control_endpoint("POST", "/webhooks/release", control.release),
    control_endpoint("POST", "/refunds/process", control.process_refunds),
    control_endpoint("POST", "/settlements", control.settle),
    *fault_and_clock_endpoints(control),
    *settings_endpoints(control.settings),
)


def _fault_error(kind: str) -> Response:
    """An injected fault's answer, worded as Paystack (or the proxy in front of it) does."""
    if kind == "429":
        return error_response(PaystackError(429, "Too many requests. Please retry after some time."))
    if kind == "500":
        return error_response(PaystackError(500, "An error occurred while processing your request"))
    if kind == "503":
        return proxy_page(503, PROXY_PAGE)
    return json_response({"status": True, "message": "OK", "data": "garbled"})


class PaystackApp(SandboxApp["PaystackSandbox"]):
    """`app(environ, start_response)`: the simulated Paystack API as one WSGI callable."""

    def refusal(self, status: int, request: Request, path: str) -> Exception:
        return PaystackError(status, "Method not allowed" if status == 405 else "Route not found")

    def error_answer(self, error: Exception) -> Response | None:
        return error_response(error) if isinstance(error, PaystackError) else None

    def dispatch(self, request: Request) -> Response:
        self.sandbox.tick()
        path = unmounted(request.path, PREFIX)
        route, params = self.find(ROUTES, request, path)
        if route.kind == API:
            fault = self.sandbox.faults.take_for(request.method, path)
            if fault is not None:
                return faults.answer(fault, _fault_error)
            if not bearer_is(request, self.sandbox.secret_key):
                raise PaystackError(401, "Invalid key")
        return route.handler(self.sandbox, request, params)
