"""Webhooks as the access point sends them (peppol.md §3.7): subscriptions with a secret, signed
POSTs, retries, and a history of every attempt.

Signature: `X-Signature: sha256=<hex HMAC-SHA256(secret, json.dumps(event, sort_keys=True))>`,
and the body is exactly that JSON text, so a receiver can verify the raw body or re-serialise.
Redirects are not followed and count as failed attempts. A failed attempt (no answer, or not a
2xx) is retried after each delay of `backoff` in turn; the real schedule is [U].

The event envelope's top-level keys are [U] (the docs only say the signed object carries "the
event ID, timestamp, type, and content"). The sandbox sends `{"id", "type", "timestamp",
"data": {"document": DocumentResponse}}`; the reference's signature example signs a payload with
a `document` object, so a client that looks for the document under `data.document` (falling back
to `document`) and uses its `id` only is safe.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import secrets
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

from sandboxes.einvoice.timestamps import iso

SENT, SEND_FAILED, RECEIVED = "document.sent", "document.sent.failed", "document.received"
# Only the names the reference verified; "document.received.failed" is refused while it is [U].
EVENTS = (RECEIVED, SENT, SEND_FAILED)


def signature(secret: str, event: Mapping[str, object]) -> str:
    """The `X-Signature` header for an event."""
    message = json.dumps(event, sort_keys=True).encode("utf-8")
    return "sha256=" + hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Subscription:
    id: str
    url: str
    events: tuple[str, ...]
    secret: str
    enabled: bool = True

    def wants(self, event_type: str) -> bool:
        return self.enabled and event_type in self.events

    def describe(self) -> dict[str, object]:
        """`WebhookResponse`: the secret comes with every answer, as the SDK's model has it."""
        return {
            "id": self.id,
            "url": self.url,
            "events": list(self.events),
            "secret": self.secret,
            "enabled": self.enabled,
        }


@dataclass
class Attempt:
    id: str
    webhook_id: str
    event_id: str
    event_type: str
    url: str
    attempt: int
    timestamp: datetime
    status_code: int | None = None
    error: str | None = None

    @property
    def success(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300

    def describe(self) -> dict[str, object]:
        return {
            "id": self.id,
            "webhook_id": self.webhook_id,
            "event_id": self.event_id,
            "event_type": self.event_type,
            "url": self.url,
            "attempt": self.attempt,
            "timestamp": iso(self.timestamp),
            "status_code": self.status_code,
            "success": self.success,
            "error": self.error,
        }


class _RefuseRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # urllib then raises HTTPError with the 3xx status: a failed attempt


# No proxies from the environment: the access point posts straight to the subscriber.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _RefuseRedirects())


def _post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> tuple[int | None, str | None]:
    """(status, error) of one POST; `https://user:pass@host/path` sends HTTP Basic credentials."""
    parts = urlsplit(url)
    headers = dict(headers)
    if parts.username is not None:
        credentials = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
        headers["Authorization"] = "Basic " + base64.b64encode(credentials.encode()).decode()
        netloc = parts.hostname or ""
        netloc = f"[{netloc}]" if ":" in netloc else netloc
        url = urlunsplit(parts._replace(netloc=f"{netloc}:{parts.port}" if parts.port else netloc))
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)  # noqa: S310 - a subscriber's URL
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            return int(response.status), None
    except urllib.error.HTTPError as error:
        error.close()
        redirected = 300 <= error.code < 400
        return error.code, ("redirect not followed" if redirected else None)
    except (OSError, ValueError) as error:
        return None, f"{type(error).__name__}: {error}"


@dataclass
class Webhooks:
    """The tenant's subscriptions and every delivery attempt; deliveries run in background threads."""

    clock: Callable[[], datetime]
    backoff: tuple[float, ...] = (1.0, 5.0, 30.0)
    timeout: float = 5.0
    _subscriptions: dict[str, Subscription] = field(default_factory=dict)
    _events: dict[str, dict[str, object]] = field(default_factory=dict)
    _attempts: list[Attempt] = field(default_factory=list)
    _threads: list[threading.Thread] = field(default_factory=list)
    _attempt_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # --- subscriptions ------------------------------------------------------------------------------
    def create(self, url: str, events: tuple[str, ...], enabled: bool, secret: str | None = None) -> Subscription:
        """A subscription with a new secret, as the API answers; `secret` fixes it (for demos only)."""
        subscription = Subscription(f"wh_{uuid.uuid4().hex}", url, events, secret or secrets.token_hex(32), enabled)
        with self._lock:
            self._subscriptions[subscription.id] = subscription
        return subscription

    def get(self, webhook_id: str) -> Subscription | None:
        with self._lock:
            return self._subscriptions.get(webhook_id)

    def all(self) -> list[Subscription]:
        with self._lock:
            return list(self._subscriptions.values())

    def update(self, webhook_id: str, changes: Mapping[str, Any]) -> Subscription | None:
        with self._lock:
            current = self._subscriptions.get(webhook_id)
            if current is None:
                return None
            updated = replace(current, **changes)
            self._subscriptions[webhook_id] = updated
            return updated

    def delete(self, webhook_id: str) -> bool:
        with self._lock:
            return self._subscriptions.pop(webhook_id, None) is not None

    # --- events -----------------------------------------------------------------------------------------
    def _event(self, event_type: str, data: dict[str, object]) -> dict[str, object]:
        return {"id": f"evt_{uuid.uuid4().hex}", "type": event_type, "timestamp": iso(self.clock()), "data": data}

    def publish(self, event_type: str, data: dict[str, object]) -> dict[str, object]:
        """Build, keep and deliver an event to every enabled subscription that wants it."""
        event = self._event(event_type, data)
        with self._lock:
            self._events[str(event["id"])] = event
        self._dispatch(event)
        return event

    def redeliver(self, event_id: str) -> dict[str, object] | None:
        """Send a past event again, unchanged: the duplicates and stale events a receiver must absorb."""
        with self._lock:
            event = self._events.get(event_id)
        if event is not None:
            self._dispatch(event)
        return event

    def _dispatch(self, event: dict[str, object]) -> None:
        for subscription in self.all():
            if subscription.wants(str(event["type"])):
                thread = threading.Thread(target=self._deliver, args=(subscription.id, event), daemon=True)
                with self._lock:
                    self._threads = [*(running for running in self._threads if running.is_alive()), thread]
                thread.start()

    def _deliver(self, webhook_id: str, event: dict[str, object]) -> None:
        for number, delay in enumerate((0.0, *self.backoff), start=1):
            if delay:
                time.sleep(delay)
            subscription = self.get(webhook_id)
            if subscription is None or not subscription.wants(str(event["type"])):
                return  # deleted or switched off between attempts
            if self.attempt(subscription, event, number).success:
                return

    def attempt(self, subscription: Subscription, event: dict[str, object], number: int = 1) -> Attempt:
        """One signed POST of `event` to `subscription`, recorded in its history."""
        body = json.dumps(event, sort_keys=True).encode("utf-8")
        headers = {
            "Content-Type": "application/json",
            "X-Signature": signature(subscription.secret, event),
            "User-Agent": "e-invoice-sandbox",
        }
        with self._lock:
            attempt_id = f"whd_{next(self._attempt_ids)}"
        attempt = Attempt(
            attempt_id, subscription.id, str(event["id"]), str(event["type"]), subscription.url, number, self.clock()
        )
        attempt.status_code, attempt.error = _post(subscription.url, body, headers, self.timeout)
        with self._lock:
            self._attempts.append(attempt)
        return attempt

    def test(self, subscription: Subscription, event_type: str, data: dict[str, object]) -> Attempt:
        """`POST /api/webhooks/{id}/test`: one attempt, now, not retried, enabled or not."""
        return self.attempt(subscription, self._event(event_type, data))

    def history(self, webhook_id: str | None = None) -> list[dict[str, object]]:
        with self._lock:
            return [a.describe() for a in self._attempts if webhook_id is None or a.webhook_id == webhook_id]

    def wait(self, timeout: float = 10.0) -> bool:
        """Whether every delivery started so far (retries included) has finished within `timeout`."""
        deadline = time.monotonic() + timeout
        with self._lock:
            threads = list(self._threads)
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        return not any(thread.is_alive() for thread in threads)
