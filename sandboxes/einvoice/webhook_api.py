"""`/api/webhooks/…` (peppol.md §3.7): subscriptions, their delivery history and test deliveries.

Bodies are checked as FastAPI would, with pydantic's 422 list for a field that does not fit.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from sandboxes.einvoice.errors import field_error, missing, not_found
from sandboxes.einvoice.webhooks import EVENTS, Subscription
from sandboxes.kit.web import Request, Response, json_response

if TYPE_CHECKING:
    from sandboxes.einvoice.state import EInvoiceSandbox

EVENT_CHOICES = ", ".join(f"'{name}'" for name in EVENTS[:-1]) + f" or '{EVENTS[-1]}'"


def _body(request: Request) -> dict[str, Any]:
    # Plain floats, not the kit's Decimals: a test event's data is signed with json.dumps.
    try:
        body = json.loads(request.body) if request.body.strip() else None
    except ValueError as error:
        raise field_error(("body", 0), "json_invalid", "JSON decode error", {}, {"error": str(error)}) from None
    if body is None:
        raise missing("body")
    if not isinstance(body, dict):
        message = "Input should be a valid dictionary or object to extract fields from"
        raise field_error(("body",), "model_attributes_type", message, body)
    return body


def _url(value: object) -> str:
    if not isinstance(value, str):
        raise field_error(("body", "url"), "string_type", "Input should be a valid string", value)
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise field_error(("body", "url"), "url_scheme", "URL scheme should be 'http' or 'https'", value)
    return value


def _events(value: object) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise field_error(("body", "events"), "list_type", "Input should be a valid list", value)
    for index, name in enumerate(value):
        if name not in EVENTS:
            message = f"Input should be {EVENT_CHOICES}"
            raise field_error(("body", "events", index), "enum", message, name, {"expected": EVENT_CHOICES})
    return tuple(value)


def _enabled(value: object) -> bool:
    if not isinstance(value, bool):
        raise field_error(("body", "enabled"), "bool_type", "Input should be a valid boolean", value)
    return value


def _subscription(sandbox: EInvoiceSandbox, webhook_id: str) -> Subscription:
    subscription = sandbox.webhooks.get(webhook_id)
    if subscription is None:
        raise not_found("Webhook")
    return subscription


def list_webhooks(sandbox: EInvoiceSandbox, request: Request, params: dict[str, str]) -> Response:
    return json_response([subscription.describe() for subscription in sandbox.webhooks.all()])


def create_webhook(sandbox: EInvoiceSandbox, request: Request, params: dict[str, str]) -> Response:
    """The answer carries the `secret`: the only source of the signing key."""
    body = _body(request)
    for name in ("url", "events"):
        if name not in body:
            raise missing("body", name)
    subscription = sandbox.webhooks.create(
        _url(body["url"]), _events(body["events"]), _enabled(body.get("enabled", True))
    )
    return json_response(subscription.describe())


def get_webhook(sandbox: EInvoiceSandbox, request: Request, params: dict[str, str]) -> Response:
    return json_response(_subscription(sandbox, params["id"]).describe())


def update_webhook(sandbox: EInvoiceSandbox, request: Request, params: dict[str, str]) -> Response:
    """PUT with any of `url`, `events`, `enabled`; what is left out stays as it was."""
    body = _body(request)
    readers = {"url": _url, "events": _events, "enabled": _enabled}
    changes = {name: read(body[name]) for name, read in readers.items() if name in body}
    _subscription(sandbox, params["id"])
    updated = sandbox.webhooks.update(params["id"], changes)
    if updated is None:
        raise not_found("Webhook")
    return json_response(updated.describe())


def delete_webhook(sandbox: EInvoiceSandbox, request: Request, params: dict[str, str]) -> Response:
    if not sandbox.webhooks.delete(params["id"]):
        raise not_found("Webhook")
    return json_response({"is_deleted": True})


def history(sandbox: EInvoiceSandbox, request: Request, params: dict[str, str]) -> Response:
    subscription = _subscription(sandbox, params["id"])
    return json_response({"history": sandbox.webhooks.history(subscription.id)})


def test_webhook(sandbox: EInvoiceSandbox, request: Request, params: dict[str, str]) -> Response:
    """One signed delivery of `{"event_type", "data"}`, now, and how it went."""
    subscription = _subscription(sandbox, params["id"])
    body = _body(request)
    for name in ("event_type", "data"):
        if name not in body:
            raise missing("body", name)
    event_type, data = body["event_type"], body["data"]
    if event_type not in EVENTS:
        message = f"Input should be {EVENT_CHOICES}"
        raise field_error(("body", "event_type"), "enum", message, event_type, {"expected": EVENT_CHOICES})
    if not isinstance(data, dict):
        raise field_error(("body", "data"), "dict_type", "Input should be a valid dictionary", data)
    attempt = sandbox.webhooks.test(subscription, event_type, data)
    if attempt.success:
        message = f"Webhook delivered (HTTP {attempt.status_code})"
    else:
        message = f"Webhook delivery failed: {attempt.error or f'HTTP {attempt.status_code}'}"
    return json_response(
        {"success": attempt.success, "message": message, "webhook_delivery_result": attempt.describe()}
    )
