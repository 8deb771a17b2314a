"""The sandbox's own control API under `/paystack/_sandbox/` (not Paystack's), for `make run` and
tests over HTTP: the same control as the Python methods. No authentication; plain JSON in and
out; errors are `{"error": "…"}`."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from sandboxes.kit.web import ControlError, Request, Response, control_body, json_response
from sandboxes.paystack.records import stamp

if TYPE_CHECKING:
    from sandboxes.paystack.state import PaystackSandbox

ENDPOINTS = {
    "POST /_sandbox/transactions/{reference}/complete": '{"status"?: "success"|"failed"|"abandoned", "channel"?}',
    "POST /_sandbox/transactions/{reference}/redeliver": "send the transaction's last event again (a duplicate)",
    "GET /_sandbox/webhooks": "the webhook URL, whether events are held, and every delivery attempt",
    "POST /_sandbox/webhooks/release": "send held events and pending retries now",
    "POST /_sandbox/refunds/process": '{"status"?: "processed"|"failed"}: pending refunds, with their events',
    "POST /_sandbox/settlements": '{"currency"?}: settle every successful, unsettled transaction',
    "GET|POST|DELETE /_sandbox/faults": '{"kind": "timeout"|"drop"|"500"|"503"|"429"|"garbled", "path"?, "method"?, '
    '"times"?, "after"?, "seconds"?, "retry_after"?}',
    "GET|POST /_sandbox/clock": '{"seconds": n} moves the sandbox clock forward',
    "GET|POST /_sandbox/settings": '{"webhook_url"?, "hold_webhooks"?, "currencies"?: ["NGN", …], '
    '"customer_bears_fees"?}',
}


def _text(body: dict[str, object], name: str, default: str) -> str:
    value = body.get(name, default)
    if not isinstance(value, str):
        raise ControlError(400, f"{name} must be a string")
    return value


def index(sandbox: PaystackSandbox, request: Request, params: dict[str, str]) -> Response:
    return json_response({"secret_key": sandbox.secret_key, "endpoints": ENDPOINTS})


def complete(sandbox: PaystackSandbox, request: Request, params: dict[str, str]) -> Response:
    body = control_body(request)
    try:
        transaction = sandbox.complete(
            params["reference"], _text(body, "status", "success"), _text(body, "channel", "card")
        )
    except ValueError as error:
        raise ControlError(409, str(error)) from error
    return json_response(transaction.resource())


def redeliver(sandbox: PaystackSandbox, request: Request, params: dict[str, str]) -> Response:
    if not sandbox.redeliver(params["reference"]):
        raise ControlError(404, f"no event was sent about {params['reference']}")
    return json_response({"deliveries": sandbox.webhook_deliveries})


def webhooks(sandbox: PaystackSandbox, request: Request, params: dict[str, str]) -> Response:
    return json_response(
        {"url": sandbox.webhook_url, "hold": sandbox.hold_webhooks, "deliveries": sandbox.webhook_deliveries}
    )


def release(sandbox: PaystackSandbox, request: Request, params: dict[str, str]) -> Response:
    return json_response({"sent": sandbox.release_webhooks()})


def process_refunds(sandbox: PaystackSandbox, request: Request, params: dict[str, str]) -> Response:
    try:
        refunds = sandbox.process_refunds(_text(control_body(request), "status", "processed"))
    except ValueError as error:
        raise ControlError(400, str(error)) from error
    return json_response({"refunds": [refund.resource() for refund in refunds]})


def settle(sandbox: PaystackSandbox, request: Request, params: dict[str, str]) -> Response:
    try:
        settlement = sandbox.settle(_text(control_body(request), "currency", sandbox.currency))
    except ValueError as error:
        raise ControlError(409, str(error)) from error
    return json_response(settlement, 201)


def list_faults(sandbox: PaystackSandbox, request: Request, params: dict[str, str]) -> Response:
    return json_response({"faults": sandbox.faults.describe()})


def add_fault(sandbox: PaystackSandbox, request: Request, params: dict[str, str]) -> Response:
    try:
        fault = sandbox.faults.add(control_body(request))
    except ValueError as error:
        raise ControlError(400, str(error)) from error
    return json_response(fault.describe(), 201)


def clear_faults(sandbox: PaystackSandbox, request: Request, params: dict[str, str]) -> Response:
    sandbox.faults.clear()
    return json_response({"faults": []})


def clock(sandbox: PaystackSandbox, request: Request, params: dict[str, str]) -> Response:
    if request.method == "POST":
        seconds = control_body(request).get("seconds", 0)
        if isinstance(seconds, bool) or not isinstance(seconds, int | float | Decimal) or seconds < 0:
            raise ControlError(400, "seconds must be a non-negative number")
        sandbox.advance(float(seconds))
    return json_response({"now": stamp(sandbox.now())})


def settings(sandbox: PaystackSandbox, request: Request, params: dict[str, str]) -> Response:
    if request.method == "POST":
        body = control_body(request)
        url, hold = body.get("webhook_url", sandbox.webhook_url), body.get("hold_webhooks", sandbox.hold_webhooks)
        currencies = body.get("currencies", sorted(sandbox.currencies))
        bears = body.get("customer_bears_fees", sandbox.customer_bears_fees)
        if url is not None and not isinstance(url, str):
            raise ControlError(400, "webhook_url must be a URL or null")
        if not isinstance(hold, bool):
            raise ControlError(400, "hold_webhooks must be true or false")
        if not isinstance(currencies, list) or not all(isinstance(c, str) for c in currencies):
            raise ControlError(400, "currencies must be a list of currency codes")
        if not isinstance(bears, bool):
            raise ControlError(400, "customer_bears_fees must be true or false")
        with sandbox.lock:
            sandbox.webhook_url, sandbox.hold_webhooks, sandbox.currencies = url, hold, frozenset(currencies)
            sandbox.customer_bears_fees = bears
    return json_response(
        {
            "webhook_url": sandbox.webhook_url,
            "hold_webhooks": sandbox.hold_webhooks,
            "currencies": sorted(sandbox.currencies),
            "customer_bears_fees": sandbox.customer_bears_fees,
        }
    )
