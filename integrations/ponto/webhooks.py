"""Ponto webhooks: verify the JWT in the `Signature` header, accept each signature once, then
record the synchronization it announces and sync the account's connection.

joserfc verifies the JWT: signed RS512 (no other algorithm, so neither `alg: none` nor an HMAC
keyed with the public key passes) with the key of Ponto's JWKS its `kid` names, issued by
Ibanity for our client id, `iat`/`exp` bounding its age. Its `digest` claim must be the base64
SHA-512 of the raw body. Its `jti` is remembered in the database until `exp`, so a captured
webhook cannot be replayed while it is still valid.

The key set is kept in the shared cache and in the process's memory, and fetched at most once a
minute: neither a stream of made-up key ids nor a cache that remembers nothing (Redis down, or a
cache of one process) can turn every webhook into a call to Ponto.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import threading
import time
from typing import Any

import httpx
from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone
from joserfc import jwt
from joserfc.errors import ClaimError, ExpiredTokenError, JoseError
from joserfc.jwk import GuestProtocol, RSAKey
from joserfc.jws import JWSRegistry

from banking.models import BankAccount
from integrations import services
from integrations.models import ConnectionStatus, SyncTrigger
from integrations.ponto.models import PontoSynchronization, PontoWebhookReceipt, SynchronizationOrigin

ALGORITHM = "RS512"
ISSUER = "https://api.ibanity.com"
CLOCK_SKEW = 30  # seconds of tolerance on iat and exp
JWKS_CACHE_KEY = "ponto:webhook-jwks"
JWKS_CACHE_SECONDS = 3600
# An unknown key id fetches the key set again at most this often: a stream of made-up ids
# must not turn every webhook into a call to Ponto.
JWKS_REFETCH_KEY = "ponto:webhook-jwks-refetched"
JWKS_REFETCH_SECONDS = 60
JTI_MAX_LENGTH = 200


class _KeyMemory:
    """What this process knows of the key sets, by URL, whatever the shared cache remembers."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.keys: dict[str, tuple[float, dict[str, dict[str, Any]]]] = {}  # url: (fetched at, keys)
        self.fetched_at: dict[str, float] = {}  # url: when the last fetch started

    def remembered(self, url: str) -> dict[str, dict[str, Any]] | None:
        with self.lock:
            fetched_at, keys = self.keys.get(url, (0.0, None))
        return keys if keys is not None and time.monotonic() - fetched_at < JWKS_CACHE_SECONDS else None

    def remember(self, url: str, keys: dict[str, dict[str, Any]]) -> None:
        with self.lock:
            self.keys[url] = (time.monotonic(), keys)

    def claim_fetch(self, url: str) -> bool:
        """Whether a fetch may start now: not if this process, or (through the cache) another,
        started one within the minute. A fetch allowed here counts, even if it fails."""
        with self.lock:
            last = self.fetched_at.get(url)
            if last is not None and time.monotonic() - last < JWKS_REFETCH_SECONDS:
                return False
            if not cache.add(JWKS_REFETCH_KEY, True, JWKS_REFETCH_SECONDS):
                return False
            self.fetched_at[url] = time.monotonic()
            return True

    def forget(self) -> None:
        with self.lock:
            self.keys.clear()
            self.fetched_at.clear()


_memory = _KeyMemory()


def forget_signing_keys() -> None:
    """Forget the key sets this process fetched, and when (a test's sandbox starts from nothing)."""
    _memory.forget()


class InvalidWebhook(Exception):
    """The webhook's signature does not hold; the message says which check failed."""


class ReplayedWebhook(InvalidWebhook):
    """The signature was already received: a replay (or a repeat) is refused, not processed twice."""


def _fetch_keys(url: str) -> dict[str, dict[str, Any]]:
    try:
        response = httpx.get(url, timeout=10)
        response.raise_for_status()
        keys = response.json().get("keys", [])
    except (httpx.HTTPError, ValueError, AttributeError) as exc:
        raise InvalidWebhook(f"the signing keys could not be fetched ({exc.__class__.__name__})") from exc
    if not isinstance(keys, list):
        raise InvalidWebhook("the signing keys could not be read")
    usable = {
        key["kid"]: key
        for key in keys
        if isinstance(key, dict)
        and key.get("kty") == "RSA"
        and key.get("use", "sig") == "sig"
        and key.get("status", "ACTIVE") == "ACTIVE"
        and isinstance(key.get("kid"), str)
    }
    cache.set(JWKS_CACHE_KEY, usable, JWKS_CACHE_SECONDS)
    _memory.remember(url, usable)
    return usable


def _published_key(kid: str) -> dict[str, Any]:
    """The JWK Ponto publishes under `kid`, from the cache or, at most once a minute, from Ponto."""
    url = settings.PONTO_WEBHOOK_KEYS_URL
    keys: dict[str, dict[str, Any]] | None = cache.get(JWKS_CACHE_KEY)
    if keys is None:
        keys = _memory.remembered(url)
    if keys is None or kid not in keys:  # a new key may have been published since we fetched the set
        if _memory.claim_fetch(url):
            keys = _fetch_keys(url)
        elif keys is None:
            raise InvalidWebhook("the signing keys could not be fetched a moment ago; not trying again yet")
    if kid not in keys:
        raise InvalidWebhook("unknown signing key")
    return keys[kid]


def _signing_key(token: GuestProtocol) -> RSAKey:
    try:
        return RSAKey.import_key(_published_key(str(token.headers().get("kid", ""))))
    except (JoseError, ValueError, TypeError) as exc:
        raise InvalidWebhook("the signing key is not a usable RSA key") from exc


# Ponto may add header fields of its own: one that is not `crit` changes nothing we verify.
SIGNATURES = JWSRegistry(algorithms=[ALGORITHM], strict_check_header=False)


def verify(signature: str, body: bytes, now: float | None = None) -> dict[str, Any]:
    """The JWT's claims if the signature and the body hold; InvalidWebhook otherwise."""
    try:
        claims = jwt.decode(signature, _signing_key, registry=SIGNATURES).claims
    except JoseError as exc:
        raise InvalidWebhook(f"the Signature header is not a JWT signed {ALGORITHM} by Ponto ({exc.error})") from exc
    except (ValueError, TypeError) as exc:
        raise InvalidWebhook("the Signature header is not a JWT") from exc
    _check_claims(claims, time.time() if now is None else now)
    digest = base64.b64encode(hashlib.sha512(body).digest()).decode()
    if not hmac.compare_digest(str(claims["digest"]), digest):
        raise InvalidWebhook("the body does not match the signed digest")
    if len(claims["jti"]) > JTI_MAX_LENGTH:
        raise InvalidWebhook("the JWT's jti is too long")
    return claims


def _check_claims(claims: dict[str, Any], now: float) -> None:
    options: dict[str, jwt.ClaimsOption] = {name: {"essential": True} for name in ("iat", "exp", "jti", "digest")}
    options["iss"] = {"essential": True, "value": ISSUER}
    if settings.PONTO_CLIENT_ID:
        options["aud"] = {"essential": True, "value": settings.PONTO_CLIENT_ID}
    try:
        jwt.JWTClaimsRegistry(now=int(now), leeway=CLOCK_SKEW, **options).validate(claims)
    except ExpiredTokenError as exc:
        raise InvalidWebhook("the JWT has expired") from exc
    except ClaimError as exc:
        raise InvalidWebhook(f"the JWT's {exc.claim} does not hold: {exc.description}") from exc


def accept_once(claims: dict[str, Any]) -> None:
    """Remember the signature's jti until it expires; ReplayedWebhook if it was already seen.
    Call it in the transaction that processes the webhook, so a failure forgets it again."""
    now = timezone.now()
    PontoWebhookReceipt.objects.filter(expires_at__lt=now).delete()
    expires_at = datetime.datetime.fromtimestamp(float(claims["exp"]) + CLOCK_SKEW, tz=datetime.UTC)
    try:
        with transaction.atomic():
            PontoWebhookReceipt.objects.create(jti=claims["jti"], expires_at=max(expires_at, now))
    except IntegrityError as exc:
        raise ReplayedWebhook("this signature was already received") from exc


def _related_id(data: dict[str, Any], name: str) -> str:
    relationships = data.get("relationships")
    related = relationships.get(name) if isinstance(relationships, dict) else None
    target = related.get("data") if isinstance(related, dict) else None
    value = target.get("id") if isinstance(target, dict) else None
    return value if isinstance(value, str) else ""


def account_id_of(payload: dict[str, Any]) -> str:
    data = payload.get("data")
    return _related_id(data, "account") if isinstance(data, dict) else ""


def process(payload: dict[str, Any]) -> int:
    """Record the synchronization the event announces for each account it concerns and queue a
    sync of their connections; the number of connections queued."""
    data: dict[str, Any] = payload["data"] if isinstance(payload.get("data"), dict) else {}
    event_type = str(data.get("type") or "")
    account_id, organization_id = _related_id(data, "account"), _related_id(data, "organization")
    synchronization_id = _related_id(data, "synchronization")
    if not account_id:
        return 0
    accounts = (
        BankAccount.objects.select_related("connection")
        .filter(external_id=account_id)
        .exclude(connection__status__in=[ConnectionStatus.DISCONNECTED, ConnectionStatus.PENDING])
    )
    if organization_id:
        accounts = accounts.filter(connection__external_id__in=[organization_id, ""])
    connections = {}
    for account in accounts:
        if synchronization_id and event_type.startswith("pontoConnect.account.transactions"):
            announced = PontoSynchronization(
                account=account, synchronization_id=synchronization_id, origin=SynchronizationOrigin.WEBHOOK
            )
            PontoSynchronization.objects.bulk_create([announced], ignore_conflicts=True)
        connections[account.connection_id] = account.connection
    return sum(services.request_sync(connection, SyncTrigger.WEBHOOK) for connection in connections.values())
