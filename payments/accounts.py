"""An organisation's provider account: which one it pays through, whether an invoice can be paid
online, and the owner's changes to it (checked with the provider, audited)."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.utils.translation import gettext

from core.audit import record_event
from core.models import Organization, User
from invoices.models import Invoice, InvoiceStatus
from payments.models import USAGE_SECONDS, PaymentProviderAccount, Provider, usage_key
from payments.providers import ProviderError, provider_for


def active_account(organization: Organization | int) -> PaymentProviderAccount | None:
    organization_id = organization if isinstance(organization, int) else organization.pk
    return PaymentProviderAccount.objects.filter(organization_id=organization_id, enabled=True).first()


@dataclass(frozen=True)
class Usage:
    provider: str  # of the enabled account, '' without one
    ever: bool  # an account was ever set up, so online payments may exist


def usage(organization_id: int) -> Usage:
    """Read on every invoice page, email and PDF: kept in the cache (PaymentProviderAccount.save
    forgets it), so an organisation without online payment costs no query once warm."""
    cached = cache.get(usage_key(organization_id))
    if isinstance(cached, Usage):
        return cached
    accounts = PaymentProviderAccount.objects.filter(organization_id=organization_id)
    rows = list(accounts.values_list("provider", "enabled"))
    found = Usage(provider=next((provider for provider, enabled in rows if enabled), ""), ever=bool(rows))
    cache.set(usage_key(organization_id), found, USAGE_SECONDS)
    return found


def enabled_provider_subquery() -> Coalesce:
    """The enabled account's provider ('' without one) as an annotation of invoices:
    `online_provider`, which online_payment_available reads instead of asking again."""
    accounts = PaymentProviderAccount.objects.filter(organization_id=OuterRef("organization_id"), enabled=True)
    return Coalesce(Subquery(accounts.values("provider")[:1]), Value(""))


def currency_problem(provider: str, currency: str) -> str:
    """Why the provider cannot take a payment in `currency`, or '' when it can."""
    if provider == Provider.PAYSTACK and currency not in settings.PAYSTACK_CURRENCIES:
        return gettext("Paystack does not accept payments in %(currency)s.") % {"currency": currency}
    if provider == Provider.MOLLIE and currency != "EUR":
        return gettext("Online payment is offered for invoices in euro only.")
    return ""


def online_payment_available(invoice: Invoice) -> bool:
    """The organisation has an enabled account that takes the invoice's currency, and the invoice
    has something left to pay (a draft being sent counts: its email carries the link). A deleted
    invoice's public page answers 404, so it has no link either."""
    closed = invoice.status in (InvoiceStatus.CANCELLED, InvoiceStatus.PAID)
    if closed or not invoice.is_active or invoice.balance_due <= 0:
        return False
    provider = getattr(invoice, "online_provider", None)
    if provider is None:
        provider = usage(invoice.organization_id).provider
    return bool(provider) and not currency_problem(str(provider), invoice.currency)


def mark_key_refused(organization_id: int, message: str, *, account_id: int | None = None) -> None:
    """The provider refused the key: the owner sees why on the settings screen. `account_id` names
    the refused account when it may not be the enabled one (a payment started with a replaced key)."""
    accounts = PaymentProviderAccount.objects.filter(organization_id=organization_id)
    accounts = accounts.filter(pk=account_id) if account_id is not None else accounts.filter(enabled=True)
    accounts.update(last_error=message[:300])


@transaction.atomic
def save_account(
    organization: Organization, provider: str, secret_key: str, *, actor: User, request: HttpRequest | None = None
) -> PaymentProviderAccount:
    """Check the key with the provider, then make it the organisation's one enabled account. The
    previous account stays (disabled): payments started with it are still fetched with its key."""
    candidate = PaymentProviderAccount(organization=organization, provider=provider, secret_key=secret_key)
    provider_for(candidate).check_key()
    previous = list(PaymentProviderAccount.objects.select_for_update().filter(organization=organization, enabled=True))
    PaymentProviderAccount.objects.filter(pk__in=[account.pk for account in previous]).update(enabled=False)
    candidate.save()
    record_event(
        "online_payment.account_saved",
        request=request,
        actor=actor,
        organization=organization,
        target=candidate,
        before={"provider": previous[0].provider, "key": previous[0].masked_key} if previous else None,
        after={"provider": candidate.provider, "key": candidate.masked_key},
    )
    return candidate


@transaction.atomic
def disable_account(account: PaymentProviderAccount, *, actor: User, request: HttpRequest | None = None) -> None:
    account.enabled = False
    account.save(update_fields=["enabled", "updated_at"])
    record_event(
        "online_payment.account_disabled",
        request=request,
        actor=actor,
        organization=account.organization,
        target=account,
        before={"enabled": True},
        after={"enabled": False},
    )


def check_account(account: PaymentProviderAccount, *, actor: User, request: HttpRequest | None = None) -> str:
    """Ask the provider whether it takes the stored key; '' when it does, else its answer."""
    try:
        provider_for(account).check_key()
    except ProviderError as exc:
        error = str(exc)[:300]
    else:
        error = ""
    PaymentProviderAccount.objects.filter(pk=account.pk).update(last_error=error)
    record_event(
        "online_payment.account_tested",
        request=request,
        actor=actor,
        organization=account.organization,
        target=account,
        after={"accepted": not error},
    )
    return error
