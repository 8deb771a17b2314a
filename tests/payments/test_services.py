"""Applying the provider's word: exactly once, within the balance, refunds reversed, audited."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from core.models import AuditEvent, Organization
from invoices.models import Invoice, InvoiceStatus, Payment
from invoices.services import cancel_invoice, soft_delete
from payments.models import OnlinePayment, OnlinePaymentStatus, PaymentProviderAccount, Provider
from payments.providers.base import Chargeback, PaymentState, Refund
from payments.services import apply_state
from tests.factories import make_invoice, pay
from tests.helpers import run_concurrently

PAID_AT = datetime.datetime(2026, 3, 10, 9, 30, tzinfo=datetime.UTC)


def _online(invoice: Invoice, amount: str = "121.00") -> OnlinePayment:
    account = PaymentProviderAccount.objects.create(
        organization=invoice.organization, provider=Provider.MOLLIE, secret_key="test_" + "k" * 30
    )
    return OnlinePayment.objects.create(
        organization=invoice.organization,
        invoice=invoice,
        account=account,
        provider=Provider.MOLLIE,
        provider_id=f"tr_test{invoice.pk}",
        amount=Decimal(amount),
        currency="EUR",
    )


def _state(online: OnlinePayment, status: str = "paid", amount: str = "121.00", **extra: object) -> PaymentState:
    return PaymentState(
        provider_id=online.provider_id,
        status=status,
        provider_status=status,
        amount=Decimal(amount),
        currency="EUR",
        paid_at=PAID_AT if status == "paid" else None,
        method="bancontact",
        **extra,  # type: ignore[arg-type]
    )


@pytest.mark.django_db
def test_a_paid_payment_is_recorded_once_however_often_it_is_applied(organization: Organization) -> None:
    invoice = make_invoice(organization)
    online = _online(invoice)
    for _ in range(3):
        apply_state(online, _state(online))
    payment = Payment.objects.get(invoice=invoice)
    assert payment.amount == Decimal("121.00")
    assert payment.date == timezone.localdate(PAID_AT)
    assert payment.reference == f"mollie {online.provider_id}"
    assert Invoice.objects.get(pk=invoice.pk).status == InvoiceStatus.PAID
    assert AuditEvent.objects.filter(action="online_payment.paid").count() == 1
    assert AuditEvent.objects.filter(action="payment.recorded").count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_concurrent_duplicate_webhooks_record_one_payment(organization: Organization) -> None:
    invoice = make_invoice(organization)
    online = _online(invoice)
    state = _state(online)
    results, errors = run_concurrently(6, lambda n: apply_state(OnlinePayment.objects.get(pk=online.pk), state))
    assert errors == []
    assert len(results) == 6
    assert Payment.objects.filter(invoice=invoice).count() == 1
    assert Invoice.objects.get(pk=invoice.pk).balance_due == 0


@pytest.mark.django_db
def test_more_than_the_balance_is_recorded_as_an_overpayment_and_flagged(organization: Organization) -> None:
    invoice = make_invoice(organization)
    online = _online(invoice)
    pay(invoice, "100.00")  # paid by transfer while the payer was at the checkout
    online = apply_state(online, _state(online))
    assert online.excess == Decimal("100.00")
    payment = online.payment
    assert payment is not None
    assert payment.amount == Decimal("121.00")
    assert payment.is_overpayment


@pytest.mark.django_db
def test_a_payment_on_a_cancelled_invoice_goes_to_the_clients_account(organization: Organization) -> None:
    invoice = make_invoice(organization)
    online = _online(invoice)
    cancel_invoice(invoice)
    online = apply_state(online, _state(online))
    payment = online.payment
    assert payment is not None
    assert payment.invoice_id is None
    assert payment.client_id == invoice.client_id
    assert online.excess == Decimal("121.00")


@pytest.mark.django_db
@pytest.mark.parametrize("status", ["failed", "canceled", "expired"])
def test_an_unsuccessful_payment_records_nothing(organization: Organization, status: str) -> None:
    invoice = make_invoice(organization)
    online = _online(invoice)
    online = apply_state(online, _state(online, status))
    assert online.status == status
    assert online.payment_id is None
    assert not Payment.objects.filter(invoice=invoice).exists()


@pytest.mark.django_db
def test_a_late_failure_report_does_not_undo_a_payment(organization: Organization) -> None:
    invoice = make_invoice(organization)
    online = _online(invoice)
    apply_state(online, _state(online))
    online = apply_state(online, _state(online, "failed"))
    assert online.status == OnlinePaymentStatus.PAID
    assert Invoice.objects.get(pk=invoice.pk).balance_due == 0


@pytest.mark.django_db
def test_a_full_refund_removes_the_payment_and_reopens_the_invoice(organization: Organization) -> None:
    invoice = make_invoice(organization)
    online = _online(invoice)
    apply_state(online, _state(online))
    refunded = (Refund("re_1", Decimal("121.00"), done=True),)
    online = apply_state(online, _state(online, refunds=refunded))
    online = apply_state(online, _state(online, refunds=refunded))
    invoice.refresh_from_db()
    assert online.status == OnlinePaymentStatus.REFUNDED
    assert invoice.balance_due == Decimal("121.00")
    assert not Payment.objects.filter(invoice=invoice).exists()
    assert Payment.all_objects.filter(invoice=invoice, is_active=False).count() == 1
    assert online.payment_id is not None  # still marked as recorded: never recorded again
    apply_state(online, _state(online, refunds=refunded))
    assert not Payment.objects.filter(invoice=invoice).exists()


@pytest.mark.django_db
def test_a_queued_refund_changes_nothing_yet(organization: Organization) -> None:
    invoice = make_invoice(organization)
    online = _online(invoice)
    apply_state(online, _state(online))
    online = apply_state(online, _state(online, refunds=(Refund("re_1", Decimal("21.00"), done=False),)))
    assert online.status == OnlinePaymentStatus.PAID
    assert Invoice.objects.get(pk=invoice.pk).balance_due == 0


@pytest.mark.django_db
def test_two_partial_refunds_add_up(organization: Organization) -> None:
    invoice = make_invoice(organization)
    online = _online(invoice)
    apply_state(online, _state(online))
    first = Refund("re_1", Decimal("21.00"), done=True)
    apply_state(online, _state(online, refunds=(first,)))
    online = apply_state(online, _state(online, refunds=(first, Refund("re_2", Decimal("50.00"), done=True))))
    assert online.amount_refunded == Decimal("71.00")
    assert [p.amount for p in Payment.objects.filter(invoice=invoice)] == [Decimal("50.00")]
    assert Invoice.objects.get(pk=invoice.pk).balance_due == Decimal("71.00")


@pytest.mark.django_db
def test_a_payment_for_an_invoice_deleted_meanwhile_goes_to_the_clients_account(organization: Organization) -> None:
    """The payer was at the checkout when the invoice was deleted: the money still arrived."""
    invoice = make_invoice(organization)
    online = _online(invoice)
    soft_delete(invoice)
    online = apply_state(online, _state(online))
    payment = online.payment
    assert payment is not None
    assert payment.invoice_id is None
    assert payment.client_id == invoice.client_id
    assert online.status == OnlinePaymentStatus.PAID
    assert online.excess == Decimal("121.00")
    assert AuditEvent.objects.filter(action="online_payment.paid", target_id=str(online.pk)).exists()


@pytest.mark.django_db
def test_refunding_the_excess_clears_it(organization: Organization) -> None:
    """The page says the excess was credited to the client: once refunded it no longer is."""
    invoice = make_invoice(organization)
    online = _online(invoice)
    pay(invoice, "100.00")
    apply_state(online, _state(online))
    online = apply_state(online, _state(online, refunds=(Refund("re_1", Decimal("100.00"), done=True),)))
    assert online.excess == Decimal("0.00")
    assert [(p.amount, p.is_overpayment) for p in Payment.objects.filter(reference=online.reference)] == [
        (Decimal("21.00"), False)
    ]
    assert Invoice.objects.get(pk=invoice.pk).balance_due == 0


@pytest.mark.django_db
def test_a_partial_refund_of_a_payment_on_the_clients_account_leaves_the_rest_credited(
    organization: Organization,
) -> None:
    invoice = make_invoice(organization)
    online = _online(invoice)
    cancel_invoice(invoice)
    apply_state(online, _state(online))
    online = apply_state(online, _state(online, refunds=(Refund("re_1", Decimal("21.00"), done=True),)))
    assert online.excess == Decimal("100.00")
    remaining = online.payment
    assert remaining is not None
    assert (remaining.amount, remaining.invoice_id, remaining.is_active) == (Decimal("100.00"), None, True)


@pytest.mark.django_db
def test_a_payment_removed_by_hand_is_not_recorded_again_by_a_chargeback_or_its_reversal(
    organization: Organization,
) -> None:
    invoice = make_invoice(organization)
    online = _online(invoice)
    apply_state(online, _state(online))
    soft_delete(Payment.objects.get(invoice=invoice))
    taken = Chargeback(chargeback_id="chb_1", amount=Decimal("50.00"), reversed=False)
    apply_state(online, _state(online, chargebacks=(taken,)))
    apply_state(online, _state(online, chargebacks=(Chargeback("chb_1", Decimal("50.00"), reversed=True),)))

    assert not Payment.objects.filter(invoice=invoice).exists()
    assert OnlinePayment.objects.get(pk=online.pk).status == OnlinePaymentStatus.PAID
    assert AuditEvent.objects.filter(action="online_payment.charged_back").count() == 1
