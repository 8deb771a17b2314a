"""The WSGI application: routing, Admin API authentication, injected faults and Cloudinary's error JSON.

Everything is served both at the root and under `/cloudinary`: with `upload_prefix` set to
`<server>/cloudinary` the SDK's Upload API (`/v1_1/<cloud>/<resource_type>/upload|destroy`),
`private_download_url` (`…/download`) and Admin API (`/v1_1/<cloud>/resources/…`) calls all land
here; delivery URLs (`/cloudinary/<cloud>/<resource_type>/<type>/…`) stand for res.cloudinary.com.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sandboxes.cloudinary import api, control, faults
from sandboxes.cloudinary.errors import CloudinaryError
from sandboxes.kit import routing
from sandboxes.kit.routing import path_pattern
from sandboxes.kit.web import ControlError, DropConnection, Request, Response, json_response, send

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIEnvironment

    from sandboxes.cloudinary.state import CloudinarySandbox

PREFIX = "/cloudinary"
Handler = Callable[["CloudinarySandbox", Request, dict[str, str]], Response]


@dataclass(frozen=True, slots=True)
class Route:
    method: str
    pattern: re.Pattern[str]
    handler: Handler
    kind: str = "upload"  # upload: signed by its parameters; admin: Basic auth; control: the sandbox's own


def _route(method: str, template: str, handler: Handler, kind: str = "upload") -> Route:
    return Route(method, path_pattern(template), handler, kind)


def _control(method: str, template: str, handler: Handler) -> Route:
    return _route(method, f"/_sandbox{template}", handler, "control")


ROUTES = (
    _route("POST", "/v1_1/{cloud}/{resource_type}/upload", api.upload),
    _route("POST", "/v1_1/{cloud}/{resource_type}/destroy", api.destroy),
    _route("GET", "/v1_1/{cloud}/{resource_type}/download", api.download),
    _route("GET", "/v1_1/{cloud}/resources/{resource_type}", api.list_resources, "admin"),
    _route("GET", "/v1_1/{cloud}/resources/{resource_type}/{type}", api.list_resources, "admin"),
    Route(
        "GET",
        re.compile(r"^/(?P<cloud>[^/]+)/(?P<resource_type>image|raw|video)/(?P<type>[a-z]+)/(?P<path>.+)$"),
        api.deliver,
        "delivery",
    ),
    _control("GET", "", control.index),
    _control("GET", "/assets", control.list_assets),
    _control("GET", "/faults", control.list_faults),
    _control("POST", "/faults", control.add_fault),
    _control("DELETE", "/faults", control.clear_faults),
    _control("GET", "/clock", control.clock),
    _control("POST", "/clock", control.clock),
)


def local_path(path: str) -> str:
    """The path without the `/cloudinary` mount."""
    if path == PREFIX or path.startswith(f"{PREFIX}/"):
        return path[len(PREFIX) :] or "/"
    return path


class CloudinaryApp:
    """`app(environ, start_response)`: the simulated Cloudinary APIs as one WSGI callable."""

    def __init__(self, sandbox: CloudinarySandbox) -> None:
        self.sandbox = sandbox

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        return send(self.respond(Request.from_environ(environ)), start_response)

    def respond(self, request: Request) -> Response:
        try:
            return self._dispatch(request)
        except CloudinaryError as error:
            return error.response()
        except ControlError as error:
            return json_response({"error": error.detail}, error.status)
        except DropConnection:
            raise
        except Exception:  # noqa: BLE001 - a simulator answers 500 like the real thing, it does not crash
            return CloudinaryError(500, "General Error").response()

    def _admin(self, request: Request) -> None:
        scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
        try:
            key, _, secret = base64.b64decode(encoded.strip(), validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            key = secret = ""
        if scheme.lower() != "basic" or not key:
            raise CloudinaryError(401, "Must supply api_key")
        if not hmac.compare_digest(key.encode(), self.sandbox.api_key.encode()):
            raise CloudinaryError(401, f"Unknown API key {key}")
        if not hmac.compare_digest(secret.encode(), self.sandbox.api_secret.encode()):
            raise CloudinaryError(401, "api_secret mismatch")

    def _dispatch(self, request: Request) -> Response:
        path = local_path(request.path)
        control_call = path == "/_sandbox" or path.startswith("/_sandbox/")
        if not control_call:
            fault = self.sandbox.faults.take_for(request.method, path)
            if fault is not None:
                return faults.answer(fault)
        try:
            found = routing.resolve(ROUTES, request.method, path)
        except routing.MethodNotAllowed:
            if control_call:
                raise ControlError(405, f"{request.method} is not allowed on {path}") from None
            raise CloudinaryError(405, "Method not allowed") from None
        if found is None:
            if control_call:
                raise ControlError(404, f"no control endpoint at {path}")
            raise CloudinaryError(404, "Not Found")
        route, params = found
        if route.kind == "admin":
            self._admin(request)
        return route.handler(self.sandbox, request, params)
