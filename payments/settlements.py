"""The providers' payouts as they arrive in the bank: recognised so reconciliation leaves them
alone. The invoices they cover were recorded as paid when each payment was, so matching the
payout to invoices as well would count the money twice."""

from __future__ import annotations

import datetime
import logging
import re

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from banking.models import BankTransaction
from core.audit import record_event
from payments.models import PaymentProviderAccount, Provider, Settlement
from payments.providers import ProviderError, provider_for

logger = logging.getLogger(__name__)

# Mollie's settlement reference, as in its docs' example "1182161.1506.02" (merchant, yymm, n).
MOLLIE_REFERENCE = re.compile(r"\b\d{6,8}\.\d{4}\.\d{2}\b")
# How long a turned-off Paystack account's settlements are still fetched: its last payments are
# paid out on the account's schedule (a business day or more), settled ones a little later still.
PAYOUTS_AFTER_TURNING_OFF = datetime.timedelta(days=30)


def _text(row: BankTransaction) -> str:
    # Only what reconciliation reads of a row (banking.reconciliation._FIELDS_READ): another
    # field would cost a query per row.
    return row.remittance_information


def _named_providers(row: BankTransaction) -> list[str]:
    """Payouts come from the provider's own bank account and say so: a row that names no
    provider is not one."""
    words = f"{row.counterpart_name} {_text(row)}".lower()
    return [provider for provider in Provider.values if provider in words]


def _quotes(text: str, reference: str) -> bool:
    """The reference stands whole in the text: Paystack's are bare ids, and settlement 12 must
    not take the payout that quotes 1234 (nor a Mollie reference's 2612)."""
    return re.search(rf"(?<![\w.]){re.escape(reference)}(?!\w|\.\w)", text) is not None


def _stored(row: BankTransaction, providers: list[str]) -> Settlement | None:
    """A payout fetched from a provider that the row names, quoted by reference, or, from a
    provider's own account, paying exactly its amount."""
    unclaimed = Settlement.objects.filter(
        organization_id=row.organization_id, provider__in=providers, bank_transaction__isnull=True
    )
    text = _text(row)
    for settlement in unclaimed.exclude(reference=""):
        if _quotes(text, settlement.reference):
            return settlement
    return unclaimed.filter(amount=row.amount, currency=row.currency).first()


def _mollie_reference(row: BankTransaction) -> str:
    """Mollie's reference in a transfer from Mollie, when no fetched settlement explains it."""
    found = MOLLIE_REFERENCE.search(_text(row))
    return found.group(0) if found and "mollie" in f"{row.counterpart_name} {_text(row)}".lower() else ""


def is_settlement(row: BankTransaction) -> bool:
    """Whether the incoming bank row is a payout of a payment provider. The first time, it is
    linked to its settlement (recorded from the bank text when it was never fetched) and audited,
    so the reason it was not reconciled can be read back."""
    providers = _named_providers(row) if row.amount > 0 else []
    if not providers:
        return False  # nearly every row: decided without a query, nor a savepoint
    with transaction.atomic():
        return _claim(row, providers)


def _claim(row: BankTransaction, providers: list[str]) -> bool:
    if Settlement.objects.filter(bank_transaction=row).exists():
        return True
    settlement = _stored(row, providers)
    if settlement is None:
        reference = _mollie_reference(row)
        if not reference:
            return False
        settlement, _ = Settlement.objects.get_or_create(
            provider=Provider.MOLLIE,
            provider_id=reference,
            defaults={
                "organization_id": row.organization_id,
                "reference": reference,
                "amount": row.amount,
                "currency": row.currency,
            },
        )
        if settlement.organization_id != row.organization_id or settlement.bank_transaction_id:
            return False
    settlement.bank_transaction = row
    settlement.save(update_fields=["bank_transaction"])
    record_event(
        "bank_transaction.provider_settlement",
        organization=settlement.organization,
        target=row,
        after={
            "provider": settlement.provider,
            "settlement": settlement.provider_id,
            "reference": settlement.reference,
        },
    )
    return True


def fetch_settlements(account: PaymentProviderAccount) -> int:
    """Store the account's settlements not seen yet; how many are new."""
    new = 0
    for found in provider_for(account).settlements():
        _, created = Settlement.objects.get_or_create(
            provider=account.provider,
            provider_id=found.provider_id,
            defaults={
                "organization_id": account.organization_id,
                "reference": found.reference,
                "amount": found.amount,
                "currency": found.currency,
                "settled_at": found.settled_at,
            },
        )
        new += created
    return new


def fetch_all_settlements() -> int:
    """The new settlements of every Paystack account enabled, or turned off recently enough that
    payouts of its payments may still come (Mollie serves settlements to organisation access
    tokens only, not to the API keys we hold: its payouts are known by their reference in the bank
    text). A provider's fault, or any other failure, skips that account until the next run."""
    recent = Q(enabled=True) | Q(updated_at__gte=timezone.now() - PAYOUTS_AFTER_TURNING_OFF)
    accounts = list(PaymentProviderAccount.objects.filter(recent, provider=Provider.PAYSTACK))
    new = failed = 0
    for account in accounts:
        try:
            new += fetch_settlements(account)
        except ProviderError as exc:
            logger.warning("could not fetch the settlements of payment account %s: %s", account.pk, exc)
        except Exception:
            # One account's unforeseen failure must not keep the others' payouts unrecognised.
            failed += 1
            logger.exception("could not fetch the settlements of payment account %s", account.pk)
    if failed:
        logger.error("the settlements of %s of %s payment accounts could not be fetched", failed, len(accounts))
    return new
