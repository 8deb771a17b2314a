"""Status and delivery webhooks of the access point (reference peppol.md §3.7).

A webhook only says that something changed: its document id is taken, and the document itself is
read from the access point by the worker. The signature is `X-Signature: sha256=<hex>`, the
HMAC-SHA256 with our webhook secret of the event re-serialised with sorted keys (Python's default
separators, non-ASCII escaped); the raw body is accepted too, in case the sender's serialiser
differs from Python's (the reference marks that a risk)."""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass

PREFIX = "sha256="


class InvalidWebhook(Exception):
    pass


@dataclass(frozen=True)
class Event:
    type: str  # "" when the event names none (the docs' oldest example)
    document_id: str


def verify(body: bytes, header: str, secret: str) -> Event:
    if not secret:
        raise InvalidWebhook("no webhook secret is configured")
    try:
        event = json.loads(body)
    except (UnicodeDecodeError, ValueError) as exc:
        raise InvalidWebhook("the body is not JSON") from exc
    if not isinstance(event, dict):
        raise InvalidWebhook("the body is not a JSON object")
    given = header.encode("utf-8", "replace")  # compare_digest refuses a str that is not ASCII
    if not any(hmac.compare_digest(_signed(secret, message).encode(), given) for message in (_canonical(event), body)):
        raise InvalidWebhook("the signature does not match")
    return Event(str(event.get("type") or ""), _document_id(event))


def _canonical(event: dict[str, object]) -> bytes:
    return json.dumps(event, sort_keys=True).encode("utf-8")


def _signed(secret: str, message: bytes) -> str:
    return PREFIX + hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def _document_id(event: dict[str, object]) -> str:
    """The document of `{"data": {"document": {...}}}` or of the docs' `{"document": {...}}`."""
    data = event.get("data")
    holder = data if isinstance(data, dict) else event
    document = holder.get("document")
    identifier = document.get("id") if isinstance(document, dict) else None
    if not isinstance(identifier, str) or not identifier:
        raise InvalidWebhook("the event names no document")
    return identifier
