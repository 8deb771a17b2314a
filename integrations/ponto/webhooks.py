"""Ponto webhooks: verify the JWT in the `Signature` header, then sync the account's connection.

The JWT is signed RS512 with a key from Ponto's JWKS (chosen by `kid`); its `digest` claim is
the base64 SHA-512 of the raw body, and `iat`/`exp` bound its age.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any

import httpx
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from django.conf import settings
from django.core.cache import cache

CLOCK_SKEW = 30  # seconds of tolerance on iat and exp
JWKS_CACHE_KEY = "ponto:webhook-jwks"
JWKS_CACHE_SECONDS = 3600


class InvalidWebhook(Exception):
    """The webhook's signature does not hold; the message says which check failed."""


def _b64decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def _fetch_keys() -> dict[str, dict[str, Any]]:
    try:
        response = httpx.get(settings.PONTO_WEBHOOK_KEYS_URL, timeout=10)
        response.raise_for_status()
        keys = response.json().get("keys", [])
    except (httpx.HTTPError, ValueError, AttributeError) as exc:
        raise InvalidWebhook(f"the signing keys could not be fetched ({exc.__class__.__name__})") from exc
    usable = {
        key["kid"]: key
        for key in keys
        if isinstance(key, dict) and key.get("kty") == "RSA" and key.get("use", "sig") == "sig"
        and key.get("status", "ACTIVE") == "ACTIVE" and "kid" in key
    }  # fmt: skip
    cache.set(JWKS_CACHE_KEY, usable, JWKS_CACHE_SECONDS)
    return usable


def _key(kid: str) -> rsa.RSAPublicKey:
    keys: dict[str, dict[str, Any]] | None = cache.get(JWKS_CACHE_KEY)
    if keys is None or kid not in keys:
        keys = _fetch_keys()  # a new key may have been published since we cached the set
    if kid not in keys:
        raise InvalidWebhook("unknown signing key")
    jwk = keys[kid]
    numbers = rsa.RSAPublicNumbers(
        int.from_bytes(_b64decode(jwk["e"]), "big"), int.from_bytes(_b64decode(jwk["n"]), "big")
    )
    return numbers.public_key()


def verify(signature: str, body: bytes, now: float | None = None) -> dict[str, Any]:
    """The JWT's claims if the signature and the body hold; InvalidWebhook otherwise."""
    try:
        header_b64, payload_b64, signature_b64 = signature.split(".")
        header = json.loads(_b64decode(header_b64))
        claims = json.loads(_b64decode(payload_b64))
        signed = _b64decode(signature_b64)
    except (ValueError, json.JSONDecodeError) as exc:
        raise InvalidWebhook("the Signature header is not a JWT") from exc
    if not isinstance(header, dict) or header.get("alg") != "RS512" or not isinstance(claims, dict):
        raise InvalidWebhook("the JWT is not signed with RS512")
    try:
        _key(str(header.get("kid", ""))).verify(
            signed, f"{header_b64}.{payload_b64}".encode(), padding.PKCS1v15(), hashes.SHA512()
        )
    except InvalidSignature as exc:
        raise InvalidWebhook("the JWT signature does not match") from exc
    digest = base64.b64encode(hashlib.sha512(body).digest()).decode()
    if not hmac.compare_digest(str(claims.get("digest", "")), digest):
        raise InvalidWebhook("the body does not match the signed digest")
    now = time.time() if now is None else now
    if float(claims.get("iat", 0)) > now + CLOCK_SKEW:
        raise InvalidWebhook("the JWT was issued in the future")
    if float(claims.get("exp", 0)) < now - CLOCK_SKEW:
        raise InvalidWebhook("the JWT has expired")
    audience = settings.PONTO_CLIENT_ID
    if audience and claims.get("aud") not in (audience, [audience]):
        raise InvalidWebhook("the JWT is meant for another application")
    return claims


def account_id_of(payload: dict[str, Any]) -> str:
    relationships = (payload.get("data") or {}).get("relationships") or {}
    return str(((relationships.get("account") or {}).get("data") or {}).get("id") or "")
