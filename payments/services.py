"""The writes of online payment: start a checkout, and apply what the provider says about a
payment. Atomic, under the invoice's row lock, audited, each payment recorded exactly once."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from core.audit import record_event
from invoices.models import Invoice, PaymentMethod
from invoices.services import record_payment, soft_delete
from invoices.services.invoicing import lock
from payments.accounts import active_account, currency_problem
from payments.links import invoice_token
from payments.models import ZERO, OnlinePayment, OnlinePaymentStatus, PaymentProviderAccount
from payments.providers import provider_for
from payments.providers.base import PaymentState

AUDITED = ("status", "provider_status", "amount", "amount_refunded", "amount_charged_back", "excess", "payment_id")
# An unfinished checkout older than this is not offered again: Mollie expires open payments
# after about 15 minutes for most methods, banks' pages time out sooner.
REUSE_WINDOW = datetime.timedelta(minutes=10)
REFUND_STATUSES = (OnlinePaymentStatus.REFUNDED, OnlinePaymentStatus.PARTIALLY_REFUNDED)
SETTLED = (OnlinePaymentStatus.PAID, *REFUND_STATUSES, OnlinePaymentStatus.CHARGED_BACK)


def return_url(invoice: Invoice) -> str:
    return f"{settings.SITE_URL}{reverse('payments:public_return', args=[invoice_token(invoice)])}"


def mollie_webhook_url() -> str:
    return f"{settings.SITE_URL}{reverse('payments:mollie_webhook')}"


def paystack_webhook_url(account: PaymentProviderAccount) -> str:
    return f"{settings.SITE_URL}{reverse('payments:paystack_webhook', args=[account.webhook_token])}"


@transaction.atomic
def start_checkout(invoice: Invoice) -> OnlinePayment:
    """The payer's checkout for the invoice's open balance: the recent unfinished one for the same
    amount when there is one (a second click, a second tab), else a new one at the provider.

    The invoice stays locked during the provider's call, so two clicks make one payment.
    Raises ValidationError when nothing can be paid, ProviderError when the provider fails."""
    invoice = lock(invoice)
    account = active_account(invoice.organization_id)
    if account is None or not invoice.is_open or invoice.balance_due <= 0:
        raise ValidationError(gettext("This invoice cannot be paid online."))
    problem = currency_problem(account.provider, invoice.currency)
    if problem:
        raise ValidationError(problem)
    reusable = OnlinePayment.objects.filter(
        invoice=invoice,
        account=account,
        amount=invoice.balance_due,
        status__in=(OnlinePaymentStatus.OPEN, OnlinePaymentStatus.PENDING),
        created_at__gte=timezone.now() - REUSE_WINDOW,
    ).first()
    if reusable is not None and reusable.checkout_url:
        return reusable
    checkout = provider_for(account).create_payment(
        invoice, invoice.balance_due, return_url(invoice), mollie_webhook_url()
    )
    online = OnlinePayment.objects.create(
        organization_id=invoice.organization_id,
        invoice=invoice,
        account=account,
        provider=account.provider,
        provider_id=checkout.provider_id,
        amount=invoice.balance_due,
        currency=invoice.currency,
        checkout_url=checkout.checkout_url,
    )
    record_event(
        "online_payment.started",
        organization=invoice.organization,
        target=online,
        after={"invoice": invoice.number, "amount": online.amount, "provider": online.provider},
    )
    return online


def _snapshot(online: OnlinePayment) -> dict[str, object]:
    return {field: getattr(online, field) for field in AUDITED}


def _takes_payment(invoice: Invoice, currency: str) -> bool:
    if not invoice.is_active:
        return False
    try:
        invoice.check_payable(currency)
    except ValidationError:
        return False
    return True


def _record(online: OnlinePayment, invoice: Invoice, state: PaymentState) -> None:
    """Record the money received once: on the invoice up to its balance, the excess flagged as an
    overpayment; on the client's account when the invoice can no longer take it (cancelled, or
    deleted while the payer was at the checkout)."""
    if _takes_payment(invoice, state.currency):
        target, online.excess = invoice, max(state.amount - max(invoice.balance_due, ZERO), ZERO)
    else:
        target, online.excess = None, state.amount
    online.payment = record_payment(
        organization=invoice.organization,
        client=invoice.client,
        invoice=target,
        amount=state.amount,
        date=timezone.localdate(state.paid_at) if state.paid_at else timezone.localdate(),
        currency=state.currency,
        method=PaymentMethod.CARD,
        reference=online.reference,
        is_overpayment=target is not None and online.excess > 0,
        notes=gettext("Paid online (%(method)s).") % {"method": state.method or online.provider},
    )


def _note(refunded: Decimal, charged_back: Decimal) -> str:
    if not charged_back:
        return gettext("Paid online, %(refunded)s refunded.") % {"refunded": refunded}
    if not refunded:
        return gettext("Paid online, %(charged_back)s charged back.") % {"charged_back": charged_back}
    amounts = {"refunded": refunded, "charged_back": charged_back}
    return gettext("Paid online, %(refunded)s refunded and %(charged_back)s charged back.") % amounts


def _rerecord(online: OnlinePayment, invoice: Invoice, refunded: Decimal, charged_back: Decimal) -> None:
    """A refund or a chargeback gives the payer money back: the payment we recorded shrinks by it;
    a chargeback's reversal gives it back to us. We replace the payment with one for what remains
    (or only remove it when nothing does) rather than issue a credit note: the client still owes
    the invoice until the owner decides to credit it, and a soft-deleted payment stays in the
    trail, audited and restorable."""
    payment = online.payment
    recorded = online.amount - online.amount_refunded - online.amount_charged_back
    if payment is None or (not payment.is_active and recorded > 0):
        return  # removed by a person, not for money given back: not ours to record again
    remaining = max(online.amount - refunded - charged_back, ZERO)
    if payment.is_active:
        soft_delete(payment)
    online.excess = ZERO
    if remaining > 0:
        invoice.refresh_from_db()
        target = invoice if payment.invoice_id else None
        # What the client is credited beyond the invoice: the refund gave back that part first.
        online.excess = max(remaining - max(invoice.balance_due, ZERO), ZERO) if target else remaining
        online.payment = record_payment(
            organization=invoice.organization,
            client=invoice.client,
            invoice=target,
            amount=remaining,
            date=payment.date,
            currency=payment.currency,
            method=payment.method,
            reference=payment.reference,
            is_overpayment=target is not None and online.excess > 0,
            notes=_note(refunded, charged_back),
        )
    # When nothing remains the removed payment stays linked: the money was recorded (never again).


@transaction.atomic
def apply_state(online: OnlinePayment, state: PaymentState) -> OnlinePayment:
    """Bring our record in line with the provider's: idempotent, so webhooks, their retries and
    the payer's return may all call it, in any order and at the same time."""
    # Through all_objects: an invoice deleted while its payer was at the checkout still gets the
    # money recorded (on the client's account), rather than a webhook failing forever.
    invoice = Invoice.all_objects.select_for_update().select_related("client").get(pk=online.invoice_id)
    online = OnlinePayment.objects.select_for_update().get(pk=online.pk)
    before = _snapshot(online)
    online.provider_status = state.provider_status
    online.method = state.method or online.method
    online.paid_at = state.paid_at or online.paid_at
    settled = online.status in SETTLED
    if state.status == OnlinePaymentStatus.PAID and online.payment_id is None:
        online.amount = state.amount
        _record(online, invoice, state)
    if not settled or state.status == OnlinePaymentStatus.PAID:
        online.status = state.status
    refunds = {**online.refunds, **{r.refund_id: str(r.amount) for r in state.refunds if r.done}}
    refunded = sum((Decimal(amount) for amount in refunds.values()), ZERO)
    changed = (refunded, state.charged_back) != (online.amount_refunded, online.amount_charged_back)
    if changed and online.payment_id is not None:
        online.refunds = refunds
        _rerecord(online, invoice, refunded, state.charged_back)
        online.amount_refunded, online.amount_charged_back = refunded, state.charged_back
    if online.amount_refunded > 0:
        fully = online.amount_refunded >= online.amount
        online.status = OnlinePaymentStatus.REFUNDED if fully else OnlinePaymentStatus.PARTIALLY_REFUNDED
    if online.amount_charged_back > 0:
        online.status = OnlinePaymentStatus.CHARGED_BACK
    online.save()
    after = _snapshot(online)
    if after != before:
        record_event(
            f"online_payment.{online.status}",
            organization=invoice.organization,
            target=online,
            before=before,
            after={**after, "invoice_balance_due": Invoice.all_objects.get(pk=invoice.pk).balance_due},
        )
    return online


def refresh(online: OnlinePayment) -> OnlinePayment:
    """Ask the provider (with the key the payment was made with) and apply its answer."""
    account = online.account or active_account(online.organization_id)
    if account is None:
        return online
    return apply_state(online, provider_for(account).fetch(online.provider_id))
