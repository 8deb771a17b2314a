"""Status callbacks: form-encoded POSTs to a message's StatusCallback, signed with X-Twilio-Signature.

The signature is Twilio's: HMAC-SHA1, keyed with the Auth Token, over the full callback URL followed
by every POST parameter's name and value in name order, base64-encoded (what
`twilio.request_validator.RequestValidator` checks).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import threading
import urllib.error
import urllib.request
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlencode


def signature(auth_token: str, url: str, params: Mapping[str, str]) -> str:
    payload = url + "".join(f"{name}{params[name]}" for name in sorted(params))
    digest = hmac.new(auth_token.encode(), payload.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


@dataclass
class CallbackDelivery:
    """One status callback: what was (or, while held, will be) posted, and how the receiver answered."""

    message_sid: str
    status: str
    url: str
    params: dict[str, str]
    signature: str
    created_at: datetime
    status_code: int | None = None
    error: str | None = None
    attempts: int = 0

    def describe(self) -> dict[str, object]:
        return {
            "message_sid": self.message_sid,
            "status": self.status,
            "url": self.url,
            "params": self.params,
            "signature": self.signature,
            "status_code": self.status_code,
            "error": self.error,
            "attempts": self.attempts,
        }


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


@dataclass
class CallbackBook:
    """Every status callback, in the order they were made; `hold` keeps new ones back until `release`."""

    timeout: float = 5.0
    hold: bool = False
    deliveries: list[CallbackDelivery] = field(default_factory=list)
    _pending: list[CallbackDelivery] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def submit(self, delivery: CallbackDelivery) -> None:
        with self._lock:
            self.deliveries.append(delivery)
            if self.hold:
                self._pending.append(delivery)
                return
        self.post(delivery)

    def release(self, reverse: bool = False) -> list[CallbackDelivery]:
        """Post the held callbacks (newest first with `reverse`: callbacks may arrive out of order)."""
        with self._lock:
            pending, self._pending = self._pending, []
        for delivery in reversed(pending) if reverse else pending:
            self.post(delivery)
        return pending

    def post(self, delivery: CallbackDelivery) -> None:
        headers = {
            "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
            "X-Twilio-Signature": delivery.signature,
            "I-Twilio-Idempotency-Token": str(uuid.uuid4()),
            "User-Agent": "TwilioProxy/1.1",
        }
        body = urlencode(delivery.params).encode()
        request = urllib.request.Request(delivery.url, data=body, method="POST", headers=headers)  # noqa: S310
        delivery.attempts += 1
        try:
            with _OPENER.open(request, timeout=self.timeout) as response:
                delivery.status_code, delivery.error = int(response.status), None
        except urllib.error.HTTPError as error:
            error.close()
            delivery.status_code, delivery.error = error.code, None
        except (OSError, ValueError) as error:
            delivery.status_code, delivery.error = None, f"{type(error).__name__}: {error}"

    def for_message(self, message_sid: str) -> list[CallbackDelivery]:
        with self._lock:
            return [delivery for delivery in self.deliveries if delivery.message_sid == message_sid]
