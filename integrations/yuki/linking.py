"""Linking a Yuki administration with a web-service access key, and the client for a connection."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.audit import record_event
from core.models import Organization, User
from integrations.errors import AuthError
from integrations.models import Connection, ConnectionStatus, Credential, Provider
from integrations.services import schedule_sync
from integrations.yuki.client import YukiClient
from integrations.yuki.quota import count_call, quota_domain

REGIONS = {"BE": _("Belgium (api.yukiworks.be)"), "NL": _("Netherlands (api.yukiworks.nl)")}
SESSION_SECONDS = 23 * 3600  # Yuki sessions last 24 h; renew a little early


class CachedSessions:
    """Yuki session ids kept in the shared cache, one per connection."""

    def __init__(self, key: str) -> None:
        self.key = f"yuki-session:{key}"

    def get(self) -> str | None:
        value: str | None = cache.get(self.key)
        return value

    def set(self, session_id: str) -> None:
        cache.set(self.key, session_id, SESSION_SECONDS)


def _client(region: str, access_key: str, session_key: str, on_call: Any = None) -> YukiClient:
    return YukiClient(
        settings.YUKI_API_URLS[region],
        access_key,
        session_cache=CachedSessions(session_key),
        on_call=on_call,
        timeout=settings.YUKI_TIMEOUT_SECONDS,
    )


def client_for(connection: Connection) -> YukiClient:
    credential = Credential.objects.filter(connection=connection).first()
    if credential is None or not credential.api_key:
        raise AuthError("This Yuki connection has no access key: link it again.")
    domain = quota_domain(connection)
    return _client(
        connection.config["region"],
        str(credential.api_key),
        str(connection.pk),
        on_call=lambda _op: count_call(connection, domain),
    )


def administrations_for_key(region: str, access_key: str) -> list[Any]:
    """The administrations a key reaches; AuthError for a bad key or one of the other region."""
    if region not in REGIONS:
        raise AuthError("Choose Belgium or the Netherlands.")
    return list(_client(region, access_key, f"probe:{hash(access_key)}").administrations())


@transaction.atomic
def link(
    *,
    organization: Organization,
    actor: User,
    region: str,
    access_key: str,
    administration: Any,
    request: HttpRequest | None = None,
) -> Connection:
    connection = Connection(
        organization=organization,
        provider=Provider.YUKI,
        created_by=actor,
        external_id=administration.id,
        display_name=f"Yuki · {administration.name}",
        config={
            "region": region,
            "country": (administration.country or region).upper(),
            "administration_id": administration.id,
            "domain_id": administration.domain_id or "",
            "gl_accounts": [],
            "book_on_send": False,
        },
    )
    connection.set_status(ConnectionStatus.ACTIVE)
    Credential.objects.create(connection=connection, api_key=access_key)
    schedule_sync(connection)
    record_event(
        "connection.created",
        request=request,
        actor=actor,
        organization=organization,
        target=connection,
        after={"provider": "yuki", "region": region, "administration": administration.name},
    )
    return connection


def replace_key(
    connection: Connection, region: str, access_key: str, *, actor: User, request: HttpRequest | None = None
) -> None:
    """Store a new key for the link, if it reaches the same administration; the link is active again."""
    reached = {a.id for a in administrations_for_key(region, access_key)}
    if connection.config.get("administration_id") not in reached:
        raise ValidationError(gettext("This key does not reach the linked administration."))
    with transaction.atomic():
        Credential.objects.update_or_create(connection=connection, defaults={"api_key": access_key})
        connection.set_status(
            ConnectionStatus.ACTIVE,
            consecutive_failures=0,
            last_error="",
            last_error_class="",
            config={**connection.config, "region": region},
        )
        record_event(
            "connection.reauthorised",
            request=request,
            actor=actor,
            organization=connection.organization,
            target=connection,
            after={"provider": "yuki", "region": region},
        )
    cache.delete(CachedSessions(str(connection.pk)).key)
