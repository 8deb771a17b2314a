"""The WSGI application: routing, HTTP Basic authentication, injected faults and Twilio's error JSON.

Everything is served both at the root and under `/twilio`, so the sandbox can share a port with
the others: the REST API at `/twilio/2010-04-01/…`, the Content API at `/twilio/v1/Content…`, the
control API at `/twilio/_sandbox/…`.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sandboxes.kit import routing
from sandboxes.kit.routing import path_pattern
from sandboxes.kit.web import ControlError, DropConnection, Request, Response, json_response, send
from sandboxes.twilio import api, control, faults
from sandboxes.twilio.errors import TwilioError

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIEnvironment

    from sandboxes.twilio.state import TwilioSandbox

PREFIX = "/twilio"
Handler = Callable[["TwilioSandbox", Request, dict[str, str]], Response]


@dataclass(frozen=True, slots=True)
class Route:
    method: str
    pattern: re.Pattern[str]
    handler: Handler
    control: bool = False


def _api(method: str, template: str, handler: Handler) -> Route:
    return Route(method, path_pattern(template), handler)


def _control(method: str, template: str, handler: Handler) -> Route:
    return Route(method, path_pattern(f"/_sandbox{template}"), handler, control=True)


MESSAGES = "/2010-04-01/Accounts/{account}/Messages"
ROUTES = (
    _api("POST", f"{MESSAGES}.json", api.create_message),
    _api("GET", f"{MESSAGES}/{{sid}}.json", api.fetch_message),
    _api("GET", "/v1/Content", api.list_content),
    _api("GET", "/v1/Content/{sid}", api.fetch_content),
    _api("GET", "/v1/Content/{sid}/ApprovalRequests", api.fetch_approval),
    _control("GET", "", control.index),
    _control("GET", "/messages", control.list_messages),
    _control("POST", "/messages/{sid}/advance", control.advance),
    _control("POST", "/messages/{sid}/fail", control.fail),
    _control("POST", "/messages/{sid}/redeliver", control.redeliver),
    _control("POST", "/progress", control.progress),
    _control("GET", "/callbacks", control.list_callbacks),
    _control("POST", "/callbacks/hold", control.hold_callbacks),
    _control("POST", "/callbacks/release", control.release_callbacks),
    _control("POST", "/sessions", control.open_session),
    _control("GET", "/faults", control.list_faults),
    _control("POST", "/faults", control.add_fault),
    _control("DELETE", "/faults", control.clear_faults),
    _control("GET", "/clock", control.clock),
    _control("POST", "/clock", control.clock),
)


def local_path(path: str) -> str:
    """The path without the `/twilio` mount."""
    if path == PREFIX or path.startswith(f"{PREFIX}/"):
        return path[len(PREFIX) :] or "/"
    return path


def _credentials(request: Request) -> tuple[str, str] | None:
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        user, _, password = base64.b64decode(encoded.strip(), validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return user, password


class TwilioApp:
    """`app(environ, start_response)`: the simulated Twilio REST and Content APIs as one WSGI callable."""

    def __init__(self, sandbox: TwilioSandbox) -> None:
        self.sandbox = sandbox

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        return send(self.respond(Request.from_environ(environ)), start_response)

    def respond(self, request: Request) -> Response:
        try:
            return self._dispatch(request)
        except TwilioError as error:
            return error.response()
        except ControlError as error:
            return json_response({"error": error.detail}, error.status)
        except DropConnection:
            raise
        except Exception:  # noqa: BLE001 - a simulator answers 500 like the real thing, it does not crash
            return TwilioError(500, 20500).response()

    def _authorized(self, request: Request, params: dict[str, str]) -> bool:
        credentials = _credentials(request)
        if credentials is None:
            return False
        user, password = credentials
        account = params.get("account", self.sandbox.account_sid)
        return (
            hmac.compare_digest(user.encode(), self.sandbox.account_sid.encode())
            and hmac.compare_digest(password.encode(), self.sandbox.auth_token.encode())
            and account == self.sandbox.account_sid
        )

    def _dispatch(self, request: Request) -> Response:
        path = local_path(request.path)
        control_call = path == "/_sandbox" or path.startswith("/_sandbox/")
        if not control_call:
            self.sandbox.tick()
            fault = self.sandbox.faults.take_for(request.method, path)
            if fault is not None:
                return faults.answer(fault)
        try:
            found = routing.resolve(ROUTES, request.method, path)
        except routing.MethodNotAllowed:
            if control_call:
                raise ControlError(405, f"{request.method} is not allowed on {path}") from None
            raise TwilioError(405, 20004) from None
        if found is None:
            if control_call:
                raise ControlError(404, f"no control endpoint at {path}")
            raise TwilioError(404, 20404, f"The requested resource {path} was not found")
        route, params = found
        if not route.control and not self._authorized(request, params):
            raise TwilioError(401, 20003)
        return route.handler(self.sandbox, request, params)
