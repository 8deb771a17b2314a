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
from typing import TYPE_CHECKING

from sandboxes.cloudinary import api, control, faults
from sandboxes.cloudinary.errors import CloudinaryError
from sandboxes.kit.app import SandboxApp
from sandboxes.kit.routing import Endpoint, control_endpoint, endpoint, fault_and_clock_endpoints, is_control, unmounted
from sandboxes.kit.web import Request, Response

if TYPE_CHECKING:
    from sandboxes.cloudinary.state import CloudinarySandbox  # noqa: F401 - named as a string in the base class

PREFIX = "/cloudinary"
# upload: signed by its parameters; admin: Basic auth; delivery: open, as res.cloudinary.com is.
UPLOAD, ADMIN, DELIVERY = "upload", "admin", "delivery"
ROUTES = (
    endpoint("POST", "/v1_1/{cloud}/{resource_type}/upload", api.upload, UPLOAD),
    endpoint("POST", "/v1_1/{cloud}/{resource_type}/destroy", api.destroy, UPLOAD),
    endpoint("GET", "/v1_1/{cloud}/{resource_type}/download", api.download, UPLOAD),
    endpoint("GET", "/v1_1/{cloud}/resources/{resource_type}", api.list_resources, ADMIN),
    endpoint("GET", "/v1_1/{cloud}/resources/{resource_type}/{type}", api.list_resources, ADMIN),
    Endpoint(
        "GET",
        re.compile(r"^/(?P<cloud>[^/]+)/(?P<resource_type>image|raw|video)/(?P<type>[a-z]+)/(?P<path>.+)$"),
        api.deliver,
        DELIVERY,
    ),
    control_endpoint("GET", "", control.index),
    control_endpoint("GET", "/assets", control.list_assets),
    *fault_and_clock_endpoints(control),
)


class CloudinaryApp(SandboxApp["CloudinarySandbox"]):
    """`app(environ, start_response)`: the simulated Cloudinary APIs as one WSGI callable."""

    def refusal(self, status: int, request: Request, path: str) -> Exception:
        return CloudinaryError(status, "Method not allowed" if status == 405 else "Not Found")

    def error_answer(self, error: Exception) -> Response:
        # A simulator answers 500 like the real thing, it does not crash.
        return (error if isinstance(error, CloudinaryError) else CloudinaryError(500, "General Error")).response()

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

    def dispatch(self, request: Request) -> Response:
        path = unmounted(request.path, PREFIX)
        if not is_control(path):
            fault = self.sandbox.faults.take_for(request.method, path)
            if fault is not None:
                return faults.answer(fault)
        route, params = self.find(ROUTES, request, path)
        if route.kind == ADMIN:
            self._admin(request)
        return route.handler(self.sandbox, request, params)
