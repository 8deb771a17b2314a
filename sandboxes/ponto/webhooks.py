"""Signed webhooks as Ibanity sends them, and the JWKS that verifies them.

The `Signature` header is a JWT signed RS512 with the sandbox's own RSA key; its `kid` names a
key of `GET /webhooks/keys`. Claims: `iss`, `aud` (the application's client id), `digest`
(base64 SHA-512 of the raw body), `iat`, `exp` (iat + 60) and `jti`. Delivery runs in a
background thread; every attempt is recorded for tests.
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from sandboxes.kit.exact_json import dumps
from sandboxes.ponto.encoding import b64url

ISSUER = "https://api.ibanity.com"
SIGNATURE_LIFETIME = 60


@cache
def _private_key() -> rsa.RSAPrivateKey:
    # One key per process: generating 2048-bit keys costs tens of milliseconds a sandbox.
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _uint(value: int) -> str:
    return b64url(value.to_bytes((value.bit_length() + 7) // 8, "big"))


@dataclass
class Signer:
    kid: str
    issuer: str = ISSUER

    def jwks(self) -> dict[str, object]:
        numbers = _private_key().public_key().public_numbers()
        key = {
            "kty": "RSA",
            "kid": self.kid,
            "use": "sig",
            "alg": "RS512",
            "status": "ACTIVE",
            "n": _uint(numbers.n),
            "e": _uint(numbers.e),
        }
        return {"keys": [key]}

    def sign(self, body: bytes, audience: str, issued_at: datetime) -> str:
        iat = int(issued_at.timestamp())
        header = {"alg": "RS512", "typ": "JWT", "kid": self.kid}
        claims = {
            "iss": self.issuer,
            "aud": audience,
            "digest": base64.b64encode(hashlib.sha512(body).digest()).decode("ascii"),
            "iat": iat,
            "exp": iat + SIGNATURE_LIFETIME,
            "jti": str(uuid.uuid4()),
        }
        signing_input = ".".join(b64url(json.dumps(part, separators=(",", ":")).encode()) for part in (header, claims))
        signature = _private_key().sign(signing_input.encode("ascii"), padding.PKCS1v15(), hashes.SHA512())
        return f"{signing_input}.{b64url(signature)}"


@dataclass
class Delivery:
    id: str
    type: str
    url: str
    body: str
    signature: str
    status: int | None = None
    error: str | None = None
    done: threading.Event = field(default_factory=threading.Event)

    def describe(self) -> dict[str, object]:
        return {
            "id": self.id,
            "type": self.type,
            "url": self.url,
            "status": self.status,
            "error": self.error,
            "delivered": self.done.is_set(),
        }


@dataclass
class WebhookSender:
    signer: Signer
    url: str | None = None
    audience: str = ""
    timeout: float = 5.0
    deliveries: list[Delivery] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def configure(self, url: str | None, audience: str) -> None:
        with self._lock:
            self.url, self.audience = url, audience

    @property
    def enabled(self) -> bool:
        return self.url is not None

    def send(self, event: dict[str, object], now: datetime) -> Delivery | None:
        """Sign and post an event document in the background; None when no target is set."""
        with self._lock:
            url, audience = self.url, self.audience
        if url is None:
            return None
        body = dumps(event)
        data = event["data"]
        assert isinstance(data, dict)
        delivery = Delivery(
            str(data["id"]), str(data["type"]), url, body, self.signer.sign(body.encode(), audience, now)
        )
        with self._lock:
            self.deliveries.append(delivery)
        threading.Thread(target=self._post, args=(delivery,), daemon=True).start()
        return delivery

    def _post(self, delivery: Delivery) -> None:
        request = urllib.request.Request(  # noqa: S310 - the target is a URL the operator configured
            delivery.url,
            data=delivery.body.encode(),
            method="POST",
            headers={"Content-Type": "application/json", "Signature": delivery.signature},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                delivery.status = response.status
        except urllib.error.HTTPError as error:
            delivery.status = error.code
        except (OSError, ValueError) as error:
            delivery.error = f"{type(error).__name__}: {error}"
        finally:
            delivery.done.set()

    def wait(self, timeout: float = 5.0) -> bool:
        """Whether every delivery so far has finished within `timeout` seconds."""
        with self._lock:
            pending = list(self.deliveries)
        return all(delivery.done.wait(timeout) for delivery in pending)

    def describe(self) -> dict[str, object]:
        with self._lock:
            return {
                "url": self.url,
                "audience": self.audience,
                "deliveries": [delivery.describe() for delivery in self.deliveries],
            }
