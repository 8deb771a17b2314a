"""Linking, re-authorising, configuring and disconnecting connections. Atomic and audited."""

from __future__ import annotations

import datetime
from collections.abc import Collection

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_q.models import Schedule
from django_q.tasks import async_task

from banking.models import BankAccount
from core.audit import record_event
from core.models import User
from core.validators import normalize_iban, validate_iban
from dashboards.state import bump
from integrations.connectors import connector_for
from integrations.models import Connection, ConnectionStatus, Credential, SyncTrigger
from integrations.runner import is_syncing

# --- configuration ------------------------------------------------------------------------


@transaction.atomic
def set_included_accounts(
    connection: Connection, included_ids: Collection[int], *, actor: User, request: HttpRequest | None = None
) -> None:
    accounts = BankAccount.objects.select_for_update().filter(connection=connection)
    before = sorted(a.iban or a.external_id for a in accounts if a.included)
    unknown = set(included_ids) - {a.pk for a in accounts}
    if unknown:
        raise ValidationError(gettext("Some of the chosen accounts do not belong to this connection."))
    accounts.update(included=False)
    BankAccount.objects.filter(connection=connection, pk__in=included_ids).update(included=True)
    bump(connection.organization_id)
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
def set_ledger_ibans(
    connection: Connection, ibans: dict[int, str], *, actor: User, request: HttpRequest | None = None
) -> None:
    """Say which bank account each ledger account books (Yuki gives no IBAN), so that an IBAN
    also linked through Ponto is counted once."""
    ledgers = {a.pk: a for a in BankAccount.objects.select_for_update().filter(connection=connection)}
    errors, changed = [], {}
    for pk, text in ibans.items():
        account = ledgers.get(pk)
        if account is None or not account.is_ledger:
            raise ValidationError(gettext("Only the IBAN of this connection's ledger accounts can be set."))
        try:
            value = validate_iban(text) if text.strip() else ""
        except ValidationError:
            errors.append(
                gettext("%(iban)s is not a valid IBAN (for %(account)s).")
                % {"iban": text.strip()[:40], "account": account.name}
            )
            continue
        if value != account.iban:
            changed[account] = value
    if errors:
        raise ValidationError(errors)
    for account, value in changed.items():
        BankAccount.objects.filter(pk=account.pk).update(iban=value)
    if changed:
        bump(connection.organization_id)
        record_event(
            "connection.ledger_ibans_set",
            request=request,
            actor=actor,
            organization=connection.organization,
            target=connection,
            before={account.external_id: account.iban for account in changed},
            after={account.external_id: value for account, value in changed.items()},
        )


@transaction.atomic
def set_preferred_source(account: BankAccount, *, actor: User, request: HttpRequest | None = None) -> None:
    """Count the account's IBAN from this link rather than from its other links."""
    iban = normalize_iban(account.iban)
    if not iban:
        raise ValidationError(gettext("This account has no IBAN, so no other link can be the same account."))
    linked = [
        other
        for other in BankAccount.objects.select_for_update()
        .filter(organization_id=account.organization_id)
        .select_related("connection")
        if normalize_iban(other.iban) == iban and other.currency == account.currency
    ]
    before = [str(other.connection) for other in linked if other.preferred_source]
    BankAccount.objects.filter(pk__in=[other.pk for other in linked]).update(preferred_source=False)
    BankAccount.objects.filter(pk=account.pk).update(preferred_source=True)
    bump(account.organization_id)
    record_event(
        "connection.account_source_chosen",
        request=request,
        actor=actor,
        organization=account.connection.organization,
        target=account.connection,
        before={"iban": iban, "source": before},
        after={"iban": iban, "source": [str(account.connection)]},
    )


SYNC_INTERVALS = {
    60: _("every hour"),
    180: _("every 3 hours"),
    360: _("every 6 hours"),
    720: _("every 12 hours"),
    1440: _("daily"),
}


@transaction.atomic
def set_sync_interval(connection: Connection, minutes: int, *, actor: User, request: HttpRequest | None = None) -> None:
    if minutes not in SYNC_INTERVALS:
        raise ValidationError(gettext("Choose one of the offered sync intervals."))
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
        raise ValidationError(gettext("This connection is disconnected."))
    if is_syncing(Connection.objects.get(pk=connection.pk)):
        return False
    async_task("integrations.tasks.sync_connection", connection.pk, str(trigger), group=schedule_name(connection))
    return True


def disconnect(connection: Connection, *, actor: User, request: HttpRequest | None = None) -> str:
    """Forget the credentials, stop the schedule and mark the connection disconnected; then
    revoke at the provider (best effort) with the credentials read before. In that order a sync
    still running meets a disconnected connection, never a revoked token on a live-looking one
    (which it would take for a lapsed consent, asking the owners to re-authorise)."""
    before = connection.status
    credential = Credential.objects.filter(connection=connection).first()
    with transaction.atomic():
        Credential.objects.filter(connection=connection).delete()
        Schedule.objects.filter(name=schedule_name(connection)).delete()
        connection.set_status(ConnectionStatus.DISCONNECTED, next_run_at=None)
        bump(connection.organization_id)  # no longer counted
        record_event(
            "connection.disconnected",
            request=request,
            actor=actor,
            organization=connection.organization,
            target=connection,
            before={"status": before},
            after={"status": ConnectionStatus.DISCONNECTED},
        )
    warning = connector_for(connection.provider).revoke(connection, credential)
    if warning:
        record_event(
            "connection.revocation_unconfirmed",
            request=request,
            actor=actor,
            organization=connection.organization,
            target=connection,
            after={"warning": warning},
        )
    return warning
