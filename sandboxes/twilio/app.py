"""The WSGI application: routing, HTTP Basic authentication, injected faults and Twilio's error JSON.

Everything is served both at the root and under `/twilio`, so the sandbox can share a port with
the others: the REST API at `/twilio/2010-04-01/…`, the Content API at `/twilio/v1/Content…`, the
control API at `/twilio/_sandbox/…`.
"""

from __future__ import annotations

import base64
import binascii
import hmac
from typing import TYPE_CHECKING

from sandboxes.kit.app import SandboxApp
from sandboxes.kit.routing import CONTROL, control_endpoint, endpoint, fault_and_clock_endpoints, is_control, unmounted
from sandboxes.kit.web import Request, Response
from sandboxes.twilio import api, control, faults
from sandboxes.twilio.errors import TwilioError

if TYPE_CHECKING:
    from sandboxes.twilio.state import TwilioSandbox  # noqa: F401 - named as a string in the base class

PREFIX = "/twilio"
MESSAGES = "/2010-04-01/Accounts/{account}/Messages"
ROUTES = (
    endpoint("POST", f"{MESSAGES}.json", api.create_message),
    endpoint("GET", f"{MESSAGES}/{{sid}}.json", api.fetch_message),
    endpoint("GET", "/v1/Content", api.list_content),
    endpoint("GET", "/v1/Content/{sid}", api.fetch_content),
    endpoint("GET", "/v1/Content/{sid}/ApprovalRequests", api.fetch_approval),
    control_endpoint("GET", "", control.index),
    control_endpoint("GET", "/messages", control.list_messages),
    control_endpoint("POST", "/messages/{sid}/advance", control.advance),
    control_endpoint("POST", "/messages/{sid}/fail", control.fail),
    control_endpoint("POST", "/messages/{sid}/redeliver", control.redeliver),
    control_endpoint("POST", "/progress", control.progress),
    control_endpoint("GET", "/callbacks", control.list_callbacks),
    control_endpoint("POST", "/callbacks/hold", control.hold_callbacks),
    control_endpoint("POST", "/callbacks/release", control.release_callbacks),
    control_endpoint("POST", "/sessions", control.open_session),
    *fault_and_clock_endpoints(control),
)


def _credentials(request: Request) -> tuple[str, str] | None:
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        user, _, password = base64.b64decode(encoded.strip(), validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return user, password


class TwilioApp(SandboxApp["TwilioSandbox"]):
    """`app(environ, start_response)`: the simulated Twilio REST and Content APIs as one WSGI callable."""

    def refusal(self, status: int, request: Request, path: str) -> Exception:
        if status == 405:
            return TwilioError(405, 20004)
        return TwilioError(404, 20404, f"The requested resource {path} was not found")

    def error_answer(self, error: Exception) -> Response:
        # A simulator answers 500 like the real thing, it does not crash.
        return error.response() if isinstance(error, TwilioError) else TwilioError(500, 20500).response()

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

    def dispatch(self, request: Request) -> Response:
        path = unmounted(request.path, PREFIX)
        if not is_control(path):
            self.sandbox.tick()
            fault = self.sandbox.faults.take_for(request.method, path)
            if fault is not None:
                return faults.answer(fault)
        route, params = self.find(ROUTES, request, path)
        if route.kind != CONTROL and not self._authorized(request, params):
            raise TwilioError(401, 20003)
        return route.handler(self.sandbox, request, params)
