"""The sandbox's own control API under `/cloudinary/_sandbox/` (not Cloudinary's): stored assets,
downloads made, faults and the clock. No authentication; errors are `{"error": "…"}`."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from sandboxes.kit.web import ControlError, Request, Response, control_body, json_response

if TYPE_CHECKING:
    from sandboxes.cloudinary.state import CloudinarySandbox

ENDPOINTS = {
    "GET /_sandbox/assets": "every stored asset and every download link used",
    "GET|POST|DELETE /_sandbox/faults": '{"kind": "429"|"500"|"503"|"timeout"|"drop", "path"?, "method"?, '
    '"times"?, "after"?, "seconds"?, "retry_after"?}',
    "GET|POST /_sandbox/clock": '{"seconds": n} moves the sandbox clock forward (links expire, signatures go stale)',
}


def index(sandbox: CloudinarySandbox, request: Request, params: dict[str, str]) -> Response:
    return json_response(
        {
            "endpoints": ENDPOINTS,
            "cloud_name": sandbox.cloud_name,
            "api_key": sandbox.api_key,
            "api_secret": sandbox.api_secret,
            "signature_algorithm": sandbox.signature_algorithm,
            "assets": len(sandbox.assets),
        }
    )


def list_assets(sandbox: CloudinarySandbox, request: Request, params: dict[str, str]) -> Response:
    return json_response(
        {
            "assets": [asset.resource(sandbox.cloud_name) for asset in sandbox.assets],
            "downloads": [
                {"public_id": d.public_id, "type": d.type, "status": d.status, "bytes": d.size}
                for d in sandbox.downloads
            ],
        }
    )


def list_faults(sandbox: CloudinarySandbox, request: Request, params: dict[str, str]) -> Response:
    return json_response({"faults": sandbox.faults.describe()})


def add_fault(sandbox: CloudinarySandbox, request: Request, params: dict[str, str]) -> Response:
    try:
        fault = sandbox.faults.add(control_body(request))
    except ValueError as error:
        raise ControlError(400, str(error)) from None
    return json_response(fault.describe(), 201)


def clear_faults(sandbox: CloudinarySandbox, request: Request, params: dict[str, str]) -> Response:
    sandbox.faults.clear()
    return Response(204)


def clock(sandbox: CloudinarySandbox, request: Request, params: dict[str, str]) -> Response:
    if request.method == "POST":
        seconds = control_body(request).get("seconds", 0)
        if isinstance(seconds, bool) or not isinstance(seconds, int | float | Decimal) or seconds < 0:
            raise ControlError(400, "seconds must be a non-negative number")
        sandbox.clock.advance(float(seconds))
    return json_response({"now": sandbox.clock.now().isoformat()})
