"""The sandbox's own control API under `/mollie/_sandbox/` (not Mollie's), for `make run` and
tests over HTTP: the same control as the Python methods. No authentication; plain JSON in and
out; errors are `{"error": "…"}`."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from sandboxes.kit.routing import mounted_root
from sandboxes.kit.web import ControlError, Request, Response, control_body, json_response
from sandboxes.mollie.money import VALUE
from sandboxes.mollie.mount import PREFIX
from sandboxes.mollie.resources import PENDING, QUEUED, iso

if TYPE_CHECKING:
    from sandboxes.mollie.state import MollieSandbox

ENDPOINTS = {
    "POST /_sandbox/payments/{id}/complete": '{"status"?: "paid"|"failed"|"canceled"|"expired", "method"?}: '
    "the payer finishes the checkout; the webhook is called",
    "POST /_sandbox/payments/{id}/redeliver": "call the payment's webhook again (a duplicate)",
    "POST /_sandbox/payments/{id}/chargebacks": '{"amount"?: "12.34"}: the payer\'s bank takes back the amount '
    "(all that is left by default); the webhook is called",
    "POST /_sandbox/payments/{id}/chargebacks/{chargeback}/reverse": "reverse the chargeback; the webhook is called",
    "GET /_sandbox/webhooks": "whether webhooks are held, and every delivery attempt",
    "POST /_sandbox/webhooks/release": "send held webhooks and pending retries now",
    "POST /_sandbox/expire": "expire open payments past expiresAt (their webhooks are called)",
    "POST /_sandbox/refunds/process": "queued and pending refunds become refunded; webhooks are called",
    "POST /_sandbox/settlements": "settle every paid, unsettled payment: the settlement",
    "GET|POST|DELETE /_sandbox/faults": '{"kind": "timeout"|"drop"|"500"|"503"|"429"|"garbled", "path"?, "method"?, '
    '"times"?, "after"?, "seconds"?, "retry_after"?}',
    "GET|POST /_sandbox/clock": '{"seconds": n} moves the sandbox clock forward',
    "GET|POST /_sandbox/settings": '{"hold_webhooks"?, "payment_lifetime"?, "refund_status"?: "pending"|"queued"}',
}


def index(sandbox: MollieSandbox, request: Request, params: dict[str, str]) -> Response:
    return json_response({"api_key": sandbox.api_key, "access_token": sandbox.access_token, "endpoints": ENDPOINTS})


def complete(sandbox: MollieSandbox, request: Request, params: dict[str, str]) -> Response:
    body = control_body(request)
    status, method = body.get("status", "paid"), body.get("method", "bancontact")
    if not isinstance(status, str) or not isinstance(method, str):
        raise ControlError(400, "status and method must be strings")
    try:
        payment = sandbox.complete(params["id"], status, method)
    except ValueError as error:
        raise ControlError(409, str(error)) from error
    return json_response(payment.resource(mounted_root(request, PREFIX), sandbox.cancelable_methods))


def chargeback(sandbox: MollieSandbox, request: Request, params: dict[str, str]) -> Response:
    given = control_body(request).get("amount")
    if given is not None and (not isinstance(given, str) or not VALUE.match(given)):
        raise ControlError(400, 'amount must be a string with two decimals, like "12.34"')
    try:
        found = sandbox.chargeback(params["id"], Decimal(given) if given else None)
    except ValueError as error:
        raise ControlError(409, str(error)) from error
    return json_response(found.resource(mounted_root(request, PREFIX)), 201)


def reverse_chargeback(sandbox: MollieSandbox, request: Request, params: dict[str, str]) -> Response:
    try:
        found = sandbox.reverse_chargeback(params["id"], params["chargeback"])
    except ValueError as error:
        raise ControlError(409, str(error)) from error
    return json_response(found.resource(mounted_root(request, PREFIX)))


def redeliver(sandbox: MollieSandbox, request: Request, params: dict[str, str]) -> Response:
    sandbox.redeliver(params["id"])
    return json_response({"deliveries": sandbox.webhook_deliveries})


def webhooks(sandbox: MollieSandbox, request: Request, params: dict[str, str]) -> Response:
    return json_response({"hold": sandbox.hold_webhooks, "deliveries": sandbox.webhook_deliveries})


def release(sandbox: MollieSandbox, request: Request, params: dict[str, str]) -> Response:
    return json_response({"sent": sandbox.release_webhooks()})


def expire(sandbox: MollieSandbox, request: Request, params: dict[str, str]) -> Response:
    return json_response({"expired": [payment.id for payment in sandbox.expire_due()]})


def process_refunds(sandbox: MollieSandbox, request: Request, params: dict[str, str]) -> Response:
    return json_response(
        {"refunds": [refund.resource(mounted_root(request, PREFIX)) for refund in sandbox.process_refunds()]}
    )


def settle(sandbox: MollieSandbox, request: Request, params: dict[str, str]) -> Response:
    try:
        settlement = sandbox.settle()
    except ValueError as error:
        raise ControlError(409, str(error)) from error
    return json_response(settlement, 201)


def list_faults(sandbox: MollieSandbox, request: Request, params: dict[str, str]) -> Response:
    return json_response({"faults": sandbox.faults.describe()})


def add_fault(sandbox: MollieSandbox, request: Request, params: dict[str, str]) -> Response:
    try:
        fault = sandbox.faults.add(control_body(request))
    except ValueError as error:
        raise ControlError(400, str(error)) from error
    return json_response(fault.describe(), 201)


def clear_faults(sandbox: MollieSandbox, request: Request, params: dict[str, str]) -> Response:
    sandbox.faults.clear()
    return json_response({"faults": []})


def _seconds(value: object, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal) or value < 0:
        raise ControlError(400, f"{name} must be a non-negative number of seconds")
    return float(value)


def clock(sandbox: MollieSandbox, request: Request, params: dict[str, str]) -> Response:
    if request.method == "POST":
        sandbox.advance(_seconds(control_body(request).get("seconds", 0), "seconds"))
    return json_response({"now": iso(sandbox.now())})


def settings(sandbox: MollieSandbox, request: Request, params: dict[str, str]) -> Response:
    if request.method == "POST":
        body = control_body(request)
        hold = body.get("hold_webhooks", sandbox.hold_webhooks)
        lifetime = _seconds(body.get("payment_lifetime", sandbox.payment_lifetime), "payment_lifetime")
        refund_status = body.get("refund_status", sandbox.refund_status)
        if not isinstance(hold, bool):
            raise ControlError(400, "hold_webhooks must be true or false")
        if refund_status not in (PENDING, QUEUED):
            raise ControlError(400, "refund_status must be pending or queued")
        with sandbox.lock:
            sandbox.hold_webhooks, sandbox.payment_lifetime, sandbox.refund_status = hold, lifetime, str(refund_status)
    return json_response(
        {
            "hold_webhooks": sandbox.hold_webhooks,
            "payment_lifetime": sandbox.payment_lifetime,
            "refund_status": sandbox.refund_status,
        }
    )
