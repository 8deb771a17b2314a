"""Cloudinary's request signatures, checked the way the server checks what the SDK signs.

The string to sign is every parameter sent except `file`, `cloud_name`, `resource_type`, `api_key`
and `signature`, as `name=value` pairs sorted by name and joined with `&` (an `&` inside a value
written `%26`: signature version 2), followed by the API secret; the signature is its SHA-1 (or,
for an environment set to it, SHA-256) hex digest.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping

from sandboxes.cloudinary.errors import CloudinaryError, missing

UNSIGNED = frozenset({"file", "cloud_name", "resource_type", "api_key", "signature"})
ALGORITHMS = {"sha1": hashlib.sha1, "sha256": hashlib.sha256}
SIGNATURE_LIFETIME = 3600  # seconds a signed request's timestamp stays good


def string_to_sign(params: Mapping[str, str]) -> str:
    pairs = (f"{name}={value}".replace("&", "%26") for name, value in params.items() if name not in UNSIGNED and value)
    return "&".join(sorted(pairs))


def sign(params: Mapping[str, str], secret: str, algorithm: str = "sha1") -> str:
    return ALGORITHMS[algorithm]((string_to_sign(params) + secret).encode()).hexdigest()


def check(params: Mapping[str, str], api_key: str, secret: str, algorithm: str) -> None:
    """CloudinaryError unless `params` carry our API key and a signature of theirs."""
    given_key = params.get("api_key")
    if not given_key:
        raise missing("api_key")
    if not hmac.compare_digest(given_key.encode(), api_key.encode()):
        raise CloudinaryError(401, f"Unknown API key {given_key}")
    given = params.get("signature", "")
    if not given:
        raise missing("signature")
    if not hmac.compare_digest(given.encode(), sign(params, secret, algorithm).encode()):
        raise CloudinaryError(401, f"Invalid Signature {given}. String to sign - '{string_to_sign(params)}'.")


def timestamp(params: Mapping[str, str]) -> int:
    raw = params.get("timestamp")
    if not raw:
        raise missing("timestamp")
    if not raw.isdigit():
        raise CloudinaryError(400, f"Invalid timestamp {raw}")
    return int(raw)
