"""The WSGI application: routing, injected faults, error documents and the `ibanity-request-id` header."""

from __future__ import annotations

import hashlib
import re
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sandboxes.kit import routing
from sandboxes.kit.routing import path_pattern
from sandboxes.kit.web import JSON, ControlError, DropConnection, Request, Response, json_response, send
from sandboxes.ponto import api, authorization, control
from sandboxes.ponto.api_errors import ApiError, error_response
from sandboxes.ponto.faults import TRANSPORT_KINDS, Fault
from sandboxes.ponto.oauth import OAuthError
from sandboxes.ponto.resources import PREFIX

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIEnvironment

    from sandboxes.ponto.state import PontoSandbox

Handler = Callable[["PontoSandbox", Request, dict[str, str]], Response]
MALFORMED = b'{"data":[{"type":"transaction","id":"'
WRONG_SHAPE = b'{"data":{"type":"maintenance","attributes":{}},"links":[]}'
EXPIRED = "The authorization for this account has expired. The user must reauthorize it."


@dataclass(frozen=True, slots=True)
class Route:
    method: str
    pattern: re.Pattern[str]
    handler: Handler
    user: bool = False  # needs a user access token
    consent: bool = False  # refused while the consent is (made) expired
    control: bool = False  # the sandbox's own API: never faulted
    idempotent: bool = False  # honours Ibanity-Idempotency-Key


def _route(method: str, template: str, handler: Handler, **flags: bool) -> Route:
    return Route(method, path_pattern(template), handler, **flags)


def _resource(method: str, template: str, handler: Handler) -> Route:
    return _route(method, PREFIX + template, handler, user=True, consent=True)


ROUTES = (
    _route("GET", PREFIX, api.links),
    _route("GET", f"{PREFIX}/oauth2/auth", authorization.authorize_page),
    _route("POST", f"{PREFIX}/oauth2/auth", authorization.authorize_decision),
    _route("POST", f"{PREFIX}/oauth2/token", authorization.token),
    _route("POST", f"{PREFIX}/oauth2/revoke", authorization.revoke),
    _route("GET", f"{PREFIX}/financial-institutions", api.list_institutions),
    _route("GET", f"{PREFIX}/financial-institutions/{{id}}", api.get_institution),
    _route("GET", f"{PREFIX}/userinfo", api.userinfo, user=True),
    _resource("GET", "/accounts", api.list_accounts),
    _resource("GET", "/accounts/{account}", api.get_account),
    _resource("GET", "/accounts/{account}/transactions", api.list_transactions),
    _resource("GET", "/accounts/{account}/transactions/{id}", api.get_transaction),
    _resource("GET", "/accounts/{account}/pending-transactions", api.list_pending),
    _resource("GET", "/accounts/{account}/pending-transactions/{id}", api.get_pending),
    _route(
        "POST",
        f"{PREFIX}/accounts/{{account}}/reauthorization-requests",
        api.create_reauthorization,
        user=True,
        idempotent=True,
    ),
    # Synchronizations stay reachable with an expired consent: they are what ends in status error.
    _route("POST", f"{PREFIX}/synchronizations", api.create_synchronization, user=True, idempotent=True),
    _route("GET", f"{PREFIX}/synchronizations/{{id}}", api.get_synchronization, user=True),
    _resource("GET", "/synchronizations/{id}/updated-transactions", api.updated_transactions),
    _resource("GET", "/synchronizations/{id}/updated-pending-transactions", api.updated_pending_transactions),
    _route("GET", "/webhooks/keys", api.webhook_keys),
    _route("GET", "/_sandbox", control.index, control=True),
    _route("GET", "/_sandbox/ground-truth", control.ground_truth, control=True),
    _route("POST", "/_sandbox/accounts/{account}/transactions", control.add_transactions, control=True),
    _route("POST", "/_sandbox/accounts/{account}/pending", control.add_pending, control=True),
    _route("PATCH", "/_sandbox/transactions/{id}", control.update_transaction, control=True),
    _route("POST", "/_sandbox/pending/{id}/book", control.book_pending, control=True),
    _route("POST", "/_sandbox/accounts/{account}/synchronize", control.synchronize, control=True),
    _route("GET", "/_sandbox/faults", control.list_faults, control=True),
    _route("POST", "/_sandbox/faults", control.add_fault, control=True),
    _route("DELETE", "/_sandbox/faults", control.clear_faults, control=True),
    _route("GET", "/_sandbox/clock", control.clock, control=True),
    _route("POST", "/_sandbox/clock", control.clock, control=True),
    _route("GET", "/_sandbox/tokens", control.tokens, control=True),
    _route("POST", "/_sandbox/clients", control.register_client, control=True),
    _route("GET", "/_sandbox/webhooks", control.webhooks, control=True),
    _route("POST", "/_sandbox/webhooks", control.webhooks, control=True),
    _route("DELETE", "/_sandbox/webhooks", control.webhooks, control=True),
    _route("POST", "/_sandbox/settings", control.settings, control=True),
    _route("GET", "/_sandbox/reauthorize/{id}", control.reauthorize, control=True),
)


def resolve(method: str, path: str) -> tuple[Route, dict[str, str]] | None:
    """The route for a request; a path known under another method raises 405."""
    try:
        return routing.resolve(ROUTES, method, path)
    except routing.MethodNotAllowed:
        raise ApiError(405, "methodNotAllowed", f"{method} is not allowed on {path}.") from None


def _fault_response(request: Request, fault: Fault) -> Response | None:
    """What an injected fault answers; None lets the request through (after a timeout's delay)."""
    if fault.kind == "timeout":
        time.sleep(fault.seconds)
        return None
    if fault.kind == "lost_answer":
        return None  # carried out below; the answer is dropped afterwards
    if fault.kind == "drop":
        raise DropConnection
    if fault.kind == "malformed":
        return Response(200, MALFORMED, [("Content-Type", request.content_type)])
    if fault.kind == "wrong_shape":
        return Response(200, WRONG_SHAPE, [("Content-Type", request.content_type)])
    if fault.kind == "429":
        response = error_response(request, ApiError(429, "tooManyRequests", "Too many requests. Try again later."))
        response.headers.append(("Retry-After", str(fault.retry_after)))
        return response
    if fault.kind == "503":
        return error_response(request, ApiError(503, "serviceUnavailable", "The service is temporarily unavailable."))
    return error_response(request, ApiError(500, "internalServerError", "An unexpected error occurred."))


class SandboxApp:
    """`app(environ, start_response)`: the whole simulated API as one WSGI callable."""

    def __init__(self, sandbox: PontoSandbox) -> None:
        self.sandbox = sandbox
        self._replies: dict[str, tuple[str, Response]] = {}  # idempotency key → (request fingerprint, response)
        self._replies_lock = threading.Lock()

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        request = Request.from_environ(environ)
        response = self.respond(request)  # DropConnection goes up to the server
        return send(response, start_response, ("ibanity-request-id", request.request_id))

    def respond(self, request: Request) -> Response:
        try:
            return self._dispatch(request)
        except ApiError as error:
            return error_response(request, error)
        except OAuthError as error:
            return authorization.oauth_error_response(error)
        except ControlError as error:
            return json_response({"error": error.detail}, error.status, JSON)
        except DropConnection:
            raise
        except Exception:  # noqa: BLE001 - a simulator answers 500 like the real thing, it does not crash
            return error_response(request, ApiError(500, "internalServerError", "An unexpected error occurred."))

    def _dispatch(self, request: Request) -> Response:
        sandbox = self.sandbox
        sandbox.tick()
        found = resolve(request.method, request.path)
        route = found[0] if found else None
        path = request.path
        api_path = path[len(PREFIX) :] or "/" if path.startswith(PREFIX) else path
        lose_answer = False
        if route is None or not route.control:
            fault = sandbox.faults.take_for(path, api_path, TRANSPORT_KINDS)
            lose_answer = fault is not None and fault.kind == "lost_answer"
            if fault is not None:
                response = _fault_response(request, fault)
                if response is not None:
                    return response
        if found is None:
            raise ApiError(404, "routeNotFound", f"No route matches {request.method} {path}.")
        route, params = found
        if route.user:
            api.require_user(sandbox, request)
        if route.consent and sandbox.faults.take_for(path, api_path, ("expired_consent",)):
            raise ApiError(403, "authorizationExpired", EXPIRED)
        key = request.headers.get("ibanity-idempotency-key")
        if key and route.idempotent:
            response = self._once(key, route, request, params)
        else:
            response = route.handler(sandbox, request, params)
        if lose_answer:
            raise DropConnection
        return response

    def _once(self, key: str, route: Route, request: Request, params: dict[str, str]) -> Response:
        """A repeated idempotency key replays the first answer instead of acting twice."""
        fingerprint = f"{request.method} {request.path} {hashlib.sha256(request.body).hexdigest()}"
        with self._replies_lock:
            earlier = self._replies.get(key)
            if earlier is not None:
                if earlier[0] != fingerprint:
                    raise ApiError(409, "idempotencyKeyConflict", "This idempotency key was used for another request.")
                return Response(earlier[1].status, earlier[1].body, list(earlier[1].headers))
            try:
                response = route.handler(self.sandbox, request, params)
            except ApiError as error:
                response = error_response(request, error)
            if response.status < 500:
                self._replies[key] = (fingerprint, response)
            return response
