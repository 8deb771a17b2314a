"""The WSGI application: `/{be|nl}/ws/{Service}.asmx` for both regions, and the control API.

One server plays both hosts: `https://api.yukiworks.be/ws/…` is `/be/ws/…` here and
`https://api.yukiworks.nl/ws/…` is `/nl/ws/…`, so a connector's root per region is `{server}/be`
or `{server}/nl` (it appends `/ws/{Service}.asmx`). Everything is also served under a `/yuki`
prefix (`/yuki/be/ws/…`, `/yuki/_sandbox/…`), for a server shared with other sandboxes.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sandboxes.kit.routing import MethodNotAllowed, path_pattern, resolve
from sandboxes.kit.web import ControlError, Request, Response, html_response, json_response, send
from sandboxes.yuki import control, soap
from sandboxes.yuki.faults import SERVER_FAULTS, Fault
from sandboxes.yuki.markup import esc
from sandboxes.yuki.services import SERVICES, invoke, service_name

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIEnvironment

    from sandboxes.yuki.state import YukiSandbox

SERVICE_PATH = re.compile(r"^/(be|nl)/ws/([A-Za-z]+)\.asmx$", re.IGNORECASE)
PREFIX = "/yuki"
INTERNAL_ERROR = SERVER_FAULTS["500"]
Handler = Callable[["YukiSandbox", Request, dict[str, str]], Response]


@dataclass(frozen=True, slots=True)
class Route:
    method: str
    pattern: re.Pattern[str]
    handler: Handler


def _route(method: str, template: str, handler: Handler) -> Route:
    return Route(method, path_pattern(template), handler)


CONTROL = (
    _route("GET", "/_sandbox", control.index),
    _route("GET", "/_sandbox/ground-truth", control.ground_truth),
    _route("POST", "/_sandbox/administrations/{id}/transactions", control.add_transactions),
    _route("PATCH", "/_sandbox/transactions/{id}", control.update_transaction),
    _route("DELETE", "/_sandbox/transactions/{id}", control.delete_transaction),
    _route("POST", "/_sandbox/items/{id}/settle", control.settle_item),
    _route("PATCH", "/_sandbox/items/{id}", control.update_item),
    *(_route(method, "/_sandbox/faults", control.faults) for method in ("GET", "POST", "DELETE")),
    *(_route(method, "/_sandbox/clock", control.clock) for method in ("GET", "POST")),
    *(_route(method, "/_sandbox/quota", control.quota) for method in ("GET", "POST", "DELETE")),
    *(_route(method, "/_sandbox/settings", control.settings) for method in ("GET", "POST")),
    _route("GET", "/_sandbox/sales-invoices", control.sales_invoices),
    _route("GET", "/_sandbox/sessions", control.sessions),
)


def _help_page(service: str) -> Response:
    names = "".join(f"<li>{esc(name)}</li>" for name in sorted(SERVICES[service]))
    return html_response(
        f"<html><body><h1>{service}</h1><p>Operations (POST, SOAP 1.1 or 1.2):</p><ul>{names}</ul></body></html>"
    )


def _not_found() -> Response:
    return html_response("<html><body><h1>404 - File or directory not found.</h1></body></html>", 404)


class YukiApp:
    """`app(environ, start_response)`: the simulated Yuki web services as one WSGI callable."""

    def __init__(self, sandbox: YukiSandbox) -> None:
        self.sandbox = sandbox

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        return send(self.respond(Request.from_environ(environ)), start_response)

    def respond(self, request: Request) -> Response:
        if request.path == PREFIX or request.path.startswith(f"{PREFIX}/"):
            request.path = request.path[len(PREFIX) :] or "/"
        if request.path == "/_sandbox" or request.path.startswith("/_sandbox/"):
            return self._control(request)
        match = SERVICE_PATH.match(request.path)
        service = service_name(match.group(2)) if match else None
        if match is None or service is None:
            return _not_found()
        if request.method == "GET":
            return _help_page(service)
        if request.method != "POST":
            return html_response("<html><body>405 - Method not allowed.</body></html>", 405)
        return self._soap(request, match.group(1).upper(), service)

    def _control(self, request: Request) -> Response:
        try:
            found = resolve(CONTROL, request.method, request.path)
        except MethodNotAllowed:
            return json_response({"error": f"{request.method} is not allowed on {request.path}"}, 405)
        if found is None:
            return json_response({"error": f"no control endpoint at {request.path}"}, 404)
        route, params = found
        try:
            return route.handler(self.sandbox, request, params)
        except ControlError as error:
            return json_response({"error": error.detail}, error.status)

    def _soap(self, request: Request, region: str, service: str) -> Response:
        try:
            version = soap.version_of(request)
        except soap.UnsupportedMediaType:
            return html_response("<html><body>415 - Unsupported Media Type.</body></html>", 415)
        injected: Fault | None = None
        try:
            envelope = soap.parse(request, version)
            operation = SERVICES[service].get(envelope.operation)
            if operation is None:
                raise soap.unknown_operation(version, envelope.operation)
            injected = self.sandbox.faults.take_for(operation.name)
            if injected is not None and injected.kind in SERVER_FAULTS:
                raise soap.server_fault(injected.message or SERVER_FAULTS[injected.kind])
            with self.sandbox.lock:
                result = invoke(self.sandbox, region, operation, envelope, injected)
            response = soap.result_response(version, operation.name, result)
        except soap.SoapFault as fault:
            response = soap.fault_response(version, fault)
        except Exception:  # noqa: BLE001 - a simulator answers a fault like the real thing, it does not crash
            response = soap.fault_response(version, soap.server_fault(INTERNAL_ERROR))
        if injected is not None and injected.kind == "timeout":
            time.sleep(injected.seconds)
        if injected is not None and injected.kind == "malformed":
            response = Response(response.status, response.body[: max(1, len(response.body) * 3 // 5)], response.headers)
        return response
