"""The WSGI application: routing, the API key, injected faults and FastAPI-style error answers.

Everything is served both at the root and under `/einvoice` (`/einvoice/api/…`,
`/einvoice/_sandbox/…`, see `mount.py`).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from sandboxes.einvoice import api, control, webhook_api
from sandboxes.einvoice.errors import ApiError, error_response, unauthorized
from sandboxes.einvoice.faults import Fault
from sandboxes.einvoice.mount import PREFIX
from sandboxes.kit import faults, routing
from sandboxes.kit.app import SandboxApp
from sandboxes.kit.routing import (
    API,
    CONTROL,
    control_endpoint,
    endpoint,
    fault_and_clock_endpoints,
    settings_endpoints,
    unmounted,
)
from sandboxes.kit.web import DropConnection, Request, Response, bearer_is, proxy_page

if TYPE_CHECKING:
    from sandboxes.einvoice.state import EInvoiceSandbox  # noqa: F401 - named as a string in the base class

FILE = "file"  # a signed download link: no key needed; the API needs the key and may be faulted
# Starlette's answer to an unhandled exception is plain text; a proxy in front answers in HTML [I].
SERVER_ERROR = b"Internal Server Error"
PROXY_PAGE = (
    "<html>\r\n<head><title>{0}</title></head>\r\n<body>\r\n<center><h1>{0}</h1></center>\r\n</body>\r\n</html>\r\n"
)


ROUTES = (
    endpoint("POST", "/api/documents/ubl", api.create_from_ubl),
    endpoint("GET", "/api/documents/{id}", api.get_document),
    endpoint("DELETE", "/api/documents/{id}", api.delete_document),
    endpoint("POST", "/api/documents/{id}/send", api.send_document),
    endpoint("GET", "/api/documents/{id}/timeline", api.timeline),
    endpoint("GET", "/api/documents/{id}/ubl", api.ubl_file),
    endpoint("POST", "/api/documents/{id}/validate", api.validate_document),
    endpoint("POST", "/api/validate/ubl", api.validate_ubl),
    endpoint("GET", "/api/validate/peppol-id", api.validate_peppol_id),
    endpoint("GET", "/api/lookup", api.lookup),
    endpoint("GET", "/api/lookup/participants", api.lookup_participants),
    endpoint("GET", "/api/inbox", api.inbox),
    endpoint("GET", "/api/inbox/invoices", api.inbox_invoices),
    endpoint("GET", "/api/inbox/credit-notes", api.inbox_credit_notes),
    endpoint("GET", "/api/outbox", api.outbox),
    endpoint("GET", "/api/outbox/drafts", api.outbox_drafts),
    endpoint("GET", "/api/me", api.me),
    endpoint("GET", "/api/webhooks", webhook_api.list_webhooks),
    endpoint("POST", "/api/webhooks", webhook_api.create_webhook),
    endpoint("GET", "/api/webhooks/{id}", webhook_api.get_webhook),
    endpoint("PUT", "/api/webhooks/{id}", webhook_api.update_webhook),
    endpoint("DELETE", "/api/webhooks/{id}", webhook_api.delete_webhook),
    endpoint("GET", "/api/webhooks/{id}/history", webhook_api.history),
    endpoint("POST", "/api/webhooks/{id}/test", webhook_api.test_webhook),
    endpoint("GET", "/files/{id}/{name}", api.download, FILE),
    control_endpoint("GET", "", control.index),
    control_endpoint("POST", "/inbox", control.deliver),
    control_endpoint("GET", "/participants", control.list_participants),
    control_endpoint("POST", "/participants", control.put_participant),
    control_endpoint("DELETE", "/participants/{id}", control.remove_participant),
    control_endpoint("POST", "/documents/{id}/responses", control.add_response),
    control_endpoint("GET", "/webhooks", control.webhook_deliveries),
    control_endpoint("POST", "/events/{id}/redeliver", control.redeliver),
    *fault_and_clock_endpoints(control),
    *settings_endpoints(control.settings),
)


def _fault_error(kind: str) -> Response:
    """An injected fault's answer: the API's own 429, the framework's 500, a proxy's 502 or 503."""
    if kind == "429":
        return error_response(ApiError(429, "Too Many Requests"))
    if kind == "500":
        return Response(500, SERVER_ERROR, [("Content-Type", "text/plain; charset=utf-8")])
    title = "502 Bad Gateway" if kind == "502" else "503 Service Temporarily Unavailable"
    return proxy_page(int(kind), PROXY_PAGE.format(title))


def _fault_response(fault: Fault) -> Response | None:
    """What an injected fault answers instead of the call; None when the call goes ahead."""
    if fault.kind == "accepted_timeout":
        return None  # carried out; the answer is held back and dropped afterwards
    response = faults.answer(fault, _fault_error, retry_header="retry-after")
    if fault.should_retry is not None:
        response.headers.append(("x-should-retry", "true" if fault.should_retry else "false"))
    return response


class EInvoiceApp(SandboxApp["EInvoiceSandbox"]):
    """`app(environ, start_response)`: the simulated access point as one WSGI callable."""

    def refusal(self, status: int, request: Request, path: str) -> Exception:
        return ApiError(status, "Method Not Allowed" if status == 405 else "Not Found")

    def error_answer(self, error: Exception) -> Response:
        # A simulator answers 500 like the real thing, it does not crash.
        if isinstance(error, ApiError):
            return error_response(error)
        return Response(500, SERVER_ERROR, [("Content-Type", "text/plain; charset=utf-8")])

    def dispatch(self, request: Request) -> Response:
        self.sandbox.tick()
        path = unmounted(request.path, PREFIX)
        try:
            found = routing.resolve(ROUTES, request.method, path)
        except routing.MethodNotAllowed:
            raise self.refused(405, request, path) from None
        fault = None
        # An unknown path may be faulted too: a proxy in front fails before the API says 404.
        if found is None or found[0].kind != CONTROL:
            fault = self.sandbox.faults.take_for(request.method, path)
            response = _fault_response(fault) if fault is not None else None
            if response is not None:
                return response
        if found is None:
            raise self.refused(404, request, path)
        route, params = found
        if route.kind == API and not bearer_is(request, self.sandbox.api_key):
            raise unauthorized()
        try:
            response = route.handler(self.sandbox, request, params)
        except ApiError as error:
            response = error_response(error)
        if fault is not None and fault.kind == "accepted_timeout":
            time.sleep(fault.seconds)
            raise DropConnection
        return response
