"""Linking, re-authorising, configuring and disconnecting connections. Atomic and audited."""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Collection
from typing import Any

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django_q.models import Schedule
from django_q.tasks import async_task

from core.audit import record_event
from core.models import Organization, User
from integrations.errors import ProviderError
from integrations.models import BankAccount, Connection, ConnectionStatus, Credential, Provider, SyncTrigger
from integrations.ponto import oauth, tokens
from integrations.ponto.client import PontoClient
from integrations.ponto.mapping import account_fields
from integrations.signals import bank_data_changed
from invoices.models.clients import normalize_iban

CONSENT_SESSION_KEY = "ponto_consents"
CONSENT_LIFETIME = datetime.timedelta(minutes=15)


class ConsentError(Exception):
    """The consent callback cannot be accepted; the message says why, in words for the user."""


# --- consent ------------------------------------------------------------------------------


def begin_ponto_consent(request: HttpRequest, organization: Organization, connection: Connection | None = None) -> str:
    """Remember a single-use state and PKCE verifier in the session; return Ponto's consent URL."""
    state, verifier = secrets.token_urlsafe(32), oauth.new_code_verifier()
    pending: dict[str, Any] = request.session.get(CONSENT_SESSION_KEY, {})
    now = timezone.now()
    pending = {key: value for key, value in pending.items() if value["expires"] > now.timestamp()}
    pending[state] = {
        "verifier": verifier,
        "organization": organization.pk,
        "connection": connection.pk if connection else None,
        "expires": (now + CONSENT_LIFETIME).timestamp(),
    }
    request.session[CONSENT_SESSION_KEY] = pending
    return oauth.authorization_url(state, verifier)


def _pop_consent(request: HttpRequest, state: str, organization: Organization) -> dict[str, Any]:
    pending: dict[str, Any] = request.session.get(CONSENT_SESSION_KEY, {})
    consent = pending.pop(state, None) if state else None
    request.session[CONSENT_SESSION_KEY] = pending
    if consent is None:
        raise ConsentError("This consent link is unknown or was already used. Please connect again.")
    if consent["expires"] < timezone.now().timestamp():
        raise ConsentError("The consent took too long and expired. Please connect again.")
    if consent["organization"] != organization.pk:
        raise ConsentError("This consent was started in another organisation. Switch to it, then connect again.")
    return dict(consent)


def discard_consent(request: HttpRequest, state: str) -> None:
    pending: dict[str, Any] = request.session.get(CONSENT_SESSION_KEY, {})
    pending.pop(state, None)
    request.session[CONSENT_SESSION_KEY] = pending


def complete_ponto_consent(
    request: HttpRequest, organization: Organization, actor: User, *, state: str, code: str
) -> Connection:
    consent = _pop_consent(request, state, organization)
    token_set = oauth.exchange_code(code, consent["verifier"])
    with transaction.atomic():
        if consent["connection"]:
            connection = Connection.objects.select_for_update().get(pk=consent["connection"], organization=organization)
            action = "connection.reauthorised"
        else:
            connection = Connection.objects.create(
                organization=organization, provider=Provider.PONTO, created_by=actor, status=ConnectionStatus.PENDING
            )
            action = "connection.created"
        tokens.store_tokens(connection, token_set)
    _describe_connection(connection)
    with transaction.atomic():
        connection.status = ConnectionStatus.ACTIVE
        connection.consecutive_failures = 0
        connection.last_error = connection.last_error_class = ""
        connection.next_run_at = timezone.now()
        connection.save()
        schedule_sync(connection)
        record_event(
            action,
            request=request,
            actor=actor,
            organization=organization,
            target=connection,
            after={"provider": connection.provider, "name": connection.display_name, "scope": token_set.scope},
        )
    forget_banners(organization.pk)
    request_sync(connection, SyncTrigger.MANUAL)  # the first data arrives without waiting for the schedule
    return connection


def _describe_connection(connection: Connection) -> None:
    """Name the connection after the Ponto organisation and list its accounts (all included)."""
    with PontoClient(connection) as client:
        info = client.userinfo()
        resources = client.accounts()
    connection.external_id = str(info.get("sub") or "")
    connection.display_name = f"Ponto · {info.get('name') or 'bank accounts'}"
    for resource in resources:
        BankAccount.objects.update_or_create(
            connection=connection,
            external_id=resource["id"],
            defaults={"organization_id": connection.organization_id, **account_fields(resource)},
        )


# --- configuration ------------------------------------------------------------------------


@transaction.atomic
def set_included_accounts(
    connection: Connection, included_ids: Collection[int], *, actor: User, request: HttpRequest | None = None
) -> None:
    accounts = BankAccount.objects.select_for_update().filter(connection=connection)
    before = sorted(a.iban or a.external_id for a in accounts if a.included)
    unknown = set(included_ids) - {a.pk for a in accounts}
    if unknown:
        raise ValidationError("Some of the chosen accounts do not belong to this connection.")
    accounts.update(included=False)
    BankAccount.objects.filter(connection=connection, pk__in=included_ids).update(included=True)
    bank_data_changed.send(sender=BankAccount, organization_id=connection.organization_id)
    after = sorted(BankAccount.objects.filter(connection=connection, included=True).values_list("iban", flat=True))
    record_event(
        "connection.accounts_chosen",
        request=request,
        actor=actor,
        organization=connection.organization,
        target=connection,
        before={"included": before},
        after={"included": after},
    )


@transaction.atomic
def set_preferred_source(account: BankAccount, *, actor: User, request: HttpRequest | None = None) -> None:
    """Count the account's IBAN from this link rather than from its other links."""
    iban = normalize_iban(account.iban)
    if not iban:
        raise ValidationError("This account has no IBAN, so no other link can be the same account.")
    linked = [
        other
        for other in BankAccount.objects.select_for_update()
        .filter(organization_id=account.organization_id)
        .select_related("connection")
        if normalize_iban(other.iban) == iban
    ]
    before = [str(other.connection) for other in linked if other.preferred_source]
    BankAccount.objects.filter(pk__in=[other.pk for other in linked]).update(preferred_source=False)
    BankAccount.objects.filter(pk=account.pk).update(preferred_source=True)
    bank_data_changed.send(sender=BankAccount, organization_id=account.organization_id)
    record_event(
        "connection.account_source_chosen",
        request=request,
        actor=actor,
        organization=account.connection.organization,
        target=account.connection,
        before={"iban": iban, "source": before},
        after={"iban": iban, "source": [str(account.connection)]},
    )


SYNC_INTERVALS = {60: "every hour", 180: "every 3 hours", 360: "every 6 hours", 720: "every 12 hours", 1440: "daily"}


@transaction.atomic
def set_sync_interval(connection: Connection, minutes: int, *, actor: User, request: HttpRequest | None = None) -> None:
    if minutes not in SYNC_INTERVALS:
        raise ValidationError("Choose one of the offered sync intervals.")
    before = connection.sync_interval_minutes
    Connection.objects.filter(pk=connection.pk).update(sync_interval_minutes=minutes)
    connection.sync_interval_minutes = minutes
    if connection.status != ConnectionStatus.DISCONNECTED:
        schedule_sync(connection)
    record_event(
        "connection.schedule_changed",
        request=request,
        actor=actor,
        organization=connection.organization,
        target=connection,
        before={"sync_interval_minutes": before},
        after={"sync_interval_minutes": minutes},
    )


def schedule_sync(connection: Connection) -> None:
    Schedule.objects.update_or_create(
        name=schedule_name(connection),
        defaults={
            "func": "integrations.tasks.sync_connection",
            "args": f"{connection.pk},'{SyncTrigger.SCHEDULE}'",
            "schedule_type": Schedule.MINUTES,
            "minutes": connection.sync_interval_minutes,
            "repeats": -1,
            "next_run": timezone.now() + datetime.timedelta(minutes=connection.sync_interval_minutes),
        },
    )


def schedule_name(connection: Connection) -> str:
    return f"sync connection {connection.pk}"


def request_sync(connection: Connection, trigger: str = SyncTrigger.MANUAL) -> bool:
    """Queue a sync. False when one is already running for this connection (it is coalesced)."""
    if connection.status == ConnectionStatus.DISCONNECTED:
        raise ValidationError("This connection is disconnected.")
    from integrations.runner import is_syncing

    if is_syncing(Connection.objects.get(pk=connection.pk)):
        return False
    async_task("integrations.tasks.sync_connection", connection.pk, str(trigger), group=schedule_name(connection))
    return True


def disconnect(connection: Connection, *, actor: User, request: HttpRequest | None = None) -> str:
    """Revoke at the provider (best effort), forget the credentials, stop the schedule."""
    warning = ""
    credential = Credential.objects.filter(connection=connection).first()
    if connection.provider == Provider.PONTO and credential is not None and credential.refresh_token:
        try:
            oauth.revoke(str(credential.refresh_token))
        except ProviderError as exc:
            warning = f"Ponto did not confirm the revocation ({exc.message}); revoke the integration in Ponto too."
    with transaction.atomic():
        Credential.objects.filter(connection=connection).delete()
        Schedule.objects.filter(name=schedule_name(connection)).delete()
        Connection.objects.filter(pk=connection.pk).update(status=ConnectionStatus.DISCONNECTED, next_run_at=None)
        bank_data_changed.send(sender=Connection, organization_id=connection.organization_id)  # no longer counted
        record_event(
            "connection.disconnected",
            request=request,
            actor=actor,
            organization=connection.organization,
            target=connection,
            before={"status": connection.status},
            after={"status": ConnectionStatus.DISCONNECTED, "warning": warning},
        )
    forget_banners(connection.organization_id)
    return warning


# --- banners ------------------------------------------------------------------------------

BANNER_TIMEOUT = 300
CONSENT_WARNING = datetime.timedelta(days=14)


def _banner_key(organization_id: int) -> str:
    return f"connection-notices:{organization_id}"


def connection_notices(organization_id: int) -> tuple[list[dict[str, Any]], set[str]]:
    """What every page shows of the connections, in one cache read (two queries a miss): the
    banners of connections that need the user, and the providers with a live connection."""
    notices: tuple[list[dict[str, Any]], set[str]] | None = cache.get(_banner_key(organization_id))
    if notices is None:
        live = Connection.objects.filter(organization_id=organization_id).live()
        attention = live.needing_attention() | live.filter(consent_expires_at__lt=timezone.now() + CONSENT_WARNING)
        banners = [
            {
                "pk": connection.pk,
                "name": str(connection),
                "needs_reauth": connection.status == ConnectionStatus.NEEDS_REAUTH,
                "failures": connection.consecutive_failures,
                "consent_expires_at": connection.consent_expires_at,
            }
            for connection in attention.distinct()
        ]
        notices = banners, set(live.values_list("provider", flat=True))
        cache.set(_banner_key(organization_id), notices, BANNER_TIMEOUT)
    return notices


def forget_banners(organization_id: int) -> None:
    cache.delete(_banner_key(organization_id))
