"""Creating, finding and revoking API keys: `sik_<prefix>_<secret>`, the prefix stored in clear
(shown in the settings and logs), the whole key only as a digest."""

from __future__ import annotations

import datetime
import hashlib
import hmac
import secrets
import string

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from api.models import ApiKey, Scope
from core.audit import record_event
from core.models import Organization, User

_ALPHABET = string.ascii_letters + string.digits
_PREFIX_LENGTH = 10
_SECRET_LENGTH = 40
# How stale `last_used_at` may get: one write a minute per key, not one per request.
_LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)


def _random(length: int) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _snapshot(key: ApiKey) -> dict[str, object]:
    return {"name": key.name, "prefix": key.prefix, "scope": key.scope, "expires_at": key.expires_at}


@transaction.atomic
def create_api_key(
    organization: Organization,
    *,
    name: str,
    scope: Scope | str,
    expires_at: datetime.datetime | None,
    actor: User,
    request: HttpRequest | None = None,
) -> tuple[ApiKey, str]:
    """The new key and its token, which is never shown again."""
    prefix = f"sik_{_random(_PREFIX_LENGTH)}"
    token = f"{prefix}_{_random(_SECRET_LENGTH)}"
    key = ApiKey.objects.create(
        organization=organization,
        name=name,
        prefix=prefix,
        digest=digest(token),
        scope=scope,
        expires_at=expires_at,
        created_by=actor,
    )
    record_event(
        "api_key.created", request=request, actor=actor, organization=organization, target=key, after=_snapshot(key)
    )
    return key, token


@transaction.atomic
def revoke_api_key(key: ApiKey, *, actor: User, request: HttpRequest | None = None) -> ApiKey:
    locked = ApiKey.objects.select_for_update().get(pk=key.pk)
    if locked.revoked_at is None:
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        record_event(
            "api_key.revoked",
            request=request,
            actor=actor,
            organization=locked.organization,
            target=locked,
            before=_snapshot(locked),
        )
    return locked


def find_key(token: str) -> ApiKey | None:
    """The key `token` is, whatever its state (the caller says why it is refused), or None."""
    prefix, separator, _ = token.rpartition("_")
    if not separator or not prefix.startswith("sik_") or len(prefix) != _PREFIX_LENGTH + 4:
        return None
    key = ApiKey.objects.select_related("organization", "created_by").filter(prefix=prefix).first()
    if key is None or not hmac.compare_digest(key.digest, digest(token)):
        return None
    return key


def note_use(key: ApiKey) -> None:
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at >= _LAST_USED_RESOLUTION:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
