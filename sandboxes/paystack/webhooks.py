"""Paystack's webhook events (paystack.com/docs/payments/webhooks): a JSON `{"event", "data"}` POSTed
to the one URL set on the dashboard, signed in `x-paystack-signature` with the hex HMAC-SHA512 of
the raw body under the secret key."""

from __future__ import annotations

import hashlib
import hmac
import json

from sandboxes.kit.outbox import Message

# Test mode: "retried hourly for the next 10 hours", each attempt timing out after 30 seconds.
RETRY_SCHEDULE = (3600.0,) * 10
TIMEOUT = 30.0


def signature(body: bytes, secret: str) -> str:
    """The `x-paystack-signature` of a raw body."""
    return hmac.new(secret.encode(), body, hashlib.sha512).hexdigest()


def event(key: str, url: str, name: str, data: dict[str, object], secret: str) -> Message:
    body = json.dumps({"event": name, "data": data}, separators=(",", ":")).encode()
    headers = {"Content-Type": "application/json", "x-paystack-signature": signature(body, secret)}
    return Message(key, url, body, headers)
