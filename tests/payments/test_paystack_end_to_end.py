"""Paying an invoice through the Paystack simulator, its signed webhooks delivered to the live service."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

import httpx
import pytest
from django.test import Client
from django.utils import timezone

from core.models import Organization
from invoices.models import Invoice, InvoiceStatus, Payment
from payments.links import public_invoice_path
from payments.models import OnlinePayment, OnlinePaymentStatus, PaymentProviderAccount
from payments.services import paystack_webhook_url
from payments.tasks import follow_unfinished_payments
from sandboxes.paystack import PaystackSandbox, signature
from tests.factories import make_client, make_invoice

pytestmark = pytest.mark.django_db(transaction=True)


def _naira_invoice(organization: Organization) -> Invoice:
    return make_invoice(organization, make_client(organization, currency="NGN"))


def _checkout(client: Client, invoice: Invoice) -> OnlinePayment:
    response = client.post(f"{public_invoice_path(invoice)}checkout/")
    assert response.status_code == 302, response.content[:500]
    online = OnlinePayment.objects.get(invoice=invoice)
    assert response["Location"] == online.checkout_url
    assert "/paystack/checkout/" in online.checkout_url
    return online


def test_a_successful_payment_is_recorded_once(
    client: Client, organization: Organization, paystack_sandbox: PaystackSandbox
) -> None:
    invoice = _naira_invoice(organization)
    online = _checkout(client, invoice)
    assert paystack_sandbox.transaction(online.provider_id).amount == 12100

    paystack_sandbox.complete(online.provider_id, "success")
    assert paystack_sandbox.redeliver(online.provider_id)

    assert [d["status"] for d in paystack_sandbox.webhook_deliveries] == [200, 200]
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID
    assert [(p.amount, p.currency) for p in Payment.objects.filter(invoice=invoice)] == [(Decimal("121.00"), "NGN")]
    page = client.get(
        f"{public_invoice_path(invoice)}return/?trxref={online.provider_id}&reference={online.provider_id}"
    )
    assert 'data-online-status="paid"' in page.content.decode()


def test_fees_the_payer_bears_are_not_recorded_as_paid_on_the_invoice(
    client: Client, organization: Organization, paystack_sandbox: PaystackSandbox
) -> None:
    """With the fees passed on, Paystack's `amount` is the total charged; the invoice was paid
    `requested_amount`, and the fees were never the organisation's to receive."""
    paystack_sandbox.customer_bears_fees = True
    invoice = _naira_invoice(organization)
    online = _checkout(client, invoice)
    paystack_sandbox.complete(online.provider_id, "success")
    assert paystack_sandbox.transaction(online.provider_id).amount == 12100 + 182

    online.refresh_from_db()
    assert (online.amount, online.excess) == (Decimal("121.00"), Decimal("0.00"))
    assert [p.amount for p in Payment.objects.filter(invoice=invoice)] == [Decimal("121.00")]
    assert Invoice.objects.get(pk=invoice.pk).status == InvoiceStatus.PAID


def test_the_payer_returns_before_the_webhook(
    client: Client, organization: Organization, paystack_sandbox: PaystackSandbox
) -> None:
    invoice = _naira_invoice(organization)
    online = _checkout(client, invoice)
    paystack_sandbox.hold_webhooks = True
    paystack_sandbox.complete(online.provider_id, "success")
    page = client.get(f"{public_invoice_path(invoice)}return/?reference={online.provider_id}")
    assert 'data-online-status="paid"' in page.content.decode()
    assert paystack_sandbox.release_webhooks() == 1
    assert Payment.objects.filter(invoice=invoice).count() == 1
    assert Invoice.objects.get(pk=invoice.pk).balance_due == 0


def test_a_failed_payment_records_nothing(
    client: Client, organization: Organization, paystack_sandbox: PaystackSandbox
) -> None:
    invoice = _naira_invoice(organization)
    online = _checkout(client, invoice)
    paystack_sandbox.complete(online.provider_id, "failed")
    page = client.get(f"{public_invoice_path(invoice)}return/?reference={online.provider_id}")
    assert 'data-online-status="failed"' in page.content.decode()
    online.refresh_from_db()
    assert online.status == OnlinePaymentStatus.FAILED
    assert not Payment.objects.filter(invoice=invoice).exists()


def test_a_forged_signature_is_refused(
    site: str, organization: Organization, paystack_account: PaymentProviderAccount, paystack_sandbox: PaystackSandbox
) -> None:
    invoice = _naira_invoice(organization)
    online = _checkout(Client(), invoice)
    body = json.dumps(
        {"event": "charge.success", "data": {"reference": online.provider_id, "amount": 12100, "status": "success"}}
    ).encode()
    url = paystack_webhook_url(paystack_account)
    forged = httpx.post(url, content=body, headers={"x-paystack-signature": signature(body, "sk_test_wrong")})
    unsigned = httpx.post(url, content=body)
    assert (forged.status_code, unsigned.status_code) == (401, 401)
    # Signed correctly, the claim is still checked with Paystack, where nothing was paid.
    signed = httpx.post(
        url, content=body, headers={"x-paystack-signature": signature(body, paystack_account.secret_key)}
    )
    assert signed.status_code == 200
    assert not Payment.objects.filter(invoice=invoice).exists()


def test_a_processed_refund_reverses_the_refunded_part(
    client: Client, organization: Organization, paystack_sandbox: PaystackSandbox
) -> None:
    invoice = _naira_invoice(organization)
    online = _checkout(client, invoice)
    paystack_sandbox.complete(online.provider_id, "success")
    paystack_sandbox.refund(paystack_sandbox.transaction(online.provider_id), 2100, "", "")
    paystack_sandbox.process_refunds()
    online.refresh_from_db()
    assert online.status == OnlinePaymentStatus.PARTIALLY_REFUNDED
    assert Invoice.objects.get(pk=invoice.pk).balance_due == Decimal("21.00")
    paystack_sandbox.redeliver(online.provider_id)
    assert Invoice.objects.get(pk=invoice.pk).balance_due == Decimal("21.00")


def test_a_failure_paystack_never_announces_is_found_by_the_follow_up(
    client: Client, organization: Organization, paystack_sandbox: PaystackSandbox
) -> None:
    invoice = _naira_invoice(organization)
    online = _checkout(client, invoice)
    paystack_sandbox.complete(online.provider_id, "failed")  # no event, and the payer never returns
    OnlinePayment.objects.filter(pk=online.pk).update(updated_at=timezone.now() - datetime.timedelta(minutes=11))

    assert follow_unfinished_payments() == 1
    assert OnlinePayment.objects.get(pk=online.pk).status == OnlinePaymentStatus.FAILED
    assert follow_unfinished_payments() == 0
