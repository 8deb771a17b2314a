"""A Mollie chargeback takes the money back like a refund: the invoice is open again for it, the
payment shows as charged back, and a reversal records the money again; each exactly once."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from core.models import AuditEvent, Organization
from invoices.models import Invoice, InvoiceStatus, Payment
from payments.links import public_invoice_path
from payments.models import OnlinePayment, OnlinePaymentStatus
from sandboxes.mollie import MollieSandbox
from tests.factories import make_invoice

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("site")]


def _paid(client: Client, invoice: Invoice, sandbox: MollieSandbox) -> OnlinePayment:
    assert client.post(f"{public_invoice_path(invoice)}checkout/").status_code == 302
    online = OnlinePayment.objects.get(invoice=invoice)
    sandbox.complete(online.provider_id, "paid")
    assert Invoice.objects.get(pk=invoice.pk).status == InvoiceStatus.PAID
    return online


def _active_payments(invoice: Invoice) -> list[Decimal]:
    return [p.amount for p in Payment.objects.filter(invoice=invoice)]


@pytest.mark.usefixtures("mollie_account")
def test_a_full_chargeback_reopens_the_invoice_and_its_reversal_pays_it_again(
    client: Client, organization: Organization, mollie_sandbox: MollieSandbox
) -> None:
    invoice = make_invoice(organization)
    online = _paid(client, invoice, mollie_sandbox)

    chargeback = mollie_sandbox.chargeback(online.provider_id)
    mollie_sandbox.redeliver(online.provider_id)  # a duplicate changes nothing

    online.refresh_from_db()
    assert (online.status, online.amount_charged_back) == (OnlinePaymentStatus.CHARGED_BACK, Decimal("121.00"))
    assert online.get_status_display() == "Charged back"
    assert Invoice.objects.get(pk=invoice.pk).balance_due == Decimal("121.00")
    assert _active_payments(invoice) == []
    assert AuditEvent.objects.filter(action="online_payment.charged_back").count() == 1
    page = client.get(f"{public_invoice_path(invoice)}return/").content.decode()
    assert 'data-online-status="charged_back"' in page and "charged back by your bank" in page

    mollie_sandbox.reverse_chargeback(online.provider_id, chargeback.id)
    mollie_sandbox.redeliver(online.provider_id)

    online.refresh_from_db()
    assert (online.status, online.amount_charged_back) == (OnlinePaymentStatus.PAID, Decimal("0.00"))
    assert Invoice.objects.get(pk=invoice.pk).status == InvoiceStatus.PAID
    assert _active_payments(invoice) == [Decimal("121.00")]
    assert all(d["status"] == 200 for d in mollie_sandbox.webhook_deliveries)


@pytest.mark.usefixtures("mollie_account")
def test_a_partial_chargeback_after_a_refund_leaves_what_remains_recorded(
    client: Client, organization: Organization, mollie_sandbox: MollieSandbox
) -> None:
    invoice = make_invoice(organization)
    online = _paid(client, invoice, mollie_sandbox)
    mollie_sandbox.refund(online.provider_id, "EUR", Decimal("21.00"), "part of it back", None)
    mollie_sandbox.process_refunds()

    mollie_sandbox.chargeback(online.provider_id, Decimal("40.00"))
    mollie_sandbox.redeliver(online.provider_id)

    online.refresh_from_db()
    assert online.status == OnlinePaymentStatus.CHARGED_BACK
    assert (online.amount_refunded, online.amount_charged_back) == (Decimal("21.00"), Decimal("40.00"))
    assert Invoice.objects.get(pk=invoice.pk).balance_due == Decimal("61.00")
    payment = Payment.objects.get(invoice=invoice)
    assert payment.amount == Decimal("60.00")
    assert "40.00 charged back" in payment.notes
