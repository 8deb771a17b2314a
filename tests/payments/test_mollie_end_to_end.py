"""Paying an invoice through the Mollie simulator, webhooks delivered to the live service."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from core.models import AuditEvent, Organization
from invoices.models import Invoice, InvoiceStatus, Payment
from payments.links import public_invoice_path
from payments.models import OnlinePayment, OnlinePaymentStatus, PaymentProviderAccount
from sandboxes.mollie import MollieSandbox
from tests.factories import make_invoice

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("site")]


def _checkout(client: Client, invoice: Invoice) -> OnlinePayment:
    response = client.post(f"{public_invoice_path(invoice)}checkout/")
    assert response.status_code == 302, response.content[:500]
    online = OnlinePayment.objects.get(invoice=invoice)
    assert response["Location"] == online.checkout_url
    assert "/mollie/checkout/" in online.checkout_url
    return online


def test_a_paid_payment_is_recorded_once_and_shown(
    client: Client, organization: Organization, mollie_account: PaymentProviderAccount, mollie_sandbox: MollieSandbox
) -> None:
    invoice = make_invoice(organization)
    online = _checkout(client, invoice)
    assert mollie_sandbox.payment(online.provider_id).value == Decimal("121.00")

    mollie_sandbox.complete(online.provider_id, "paid", "bancontact")
    mollie_sandbox.redeliver(online.provider_id)

    assert [d["status"] for d in mollie_sandbox.webhook_deliveries] == [200, 200]
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID
    payments = Payment.objects.filter(invoice=invoice)
    assert [(p.amount, p.reference) for p in payments] == [(Decimal("121.00"), f"mollie {online.provider_id}")]
    assert AuditEvent.objects.filter(action="online_payment.paid", organization=organization).count() == 1
    page = client.get(f"{public_invoice_path(invoice)}return/")
    assert page.status_code == 200
    assert 'data-online-status="paid"' in page.content.decode()


def test_the_payer_returns_before_the_webhook(
    client: Client, organization: Organization, mollie_account: PaymentProviderAccount, mollie_sandbox: MollieSandbox
) -> None:
    invoice = make_invoice(organization)
    online = _checkout(client, invoice)
    mollie_sandbox.hold_webhooks = True
    mollie_sandbox.complete(online.provider_id, "paid", "creditcard")

    page = client.get(f"{public_invoice_path(invoice)}return/")
    assert 'data-online-status="paid"' in page.content.decode()
    assert mollie_sandbox.release_webhooks() == 1

    invoice.refresh_from_db()
    assert invoice.balance_due == 0
    assert Payment.objects.filter(invoice=invoice).count() == 1


def test_a_failed_payment_records_nothing_and_can_be_retried(
    client: Client, organization: Organization, mollie_account: PaymentProviderAccount, mollie_sandbox: MollieSandbox
) -> None:
    invoice = make_invoice(organization)
    online = _checkout(client, invoice)
    mollie_sandbox.complete(online.provider_id, "failed")

    online.refresh_from_db()
    assert online.status == OnlinePaymentStatus.FAILED
    assert not Payment.objects.filter(invoice=invoice).exists()
    page = client.get(f"{public_invoice_path(invoice)}return/")
    assert 'data-online-status="failed"' in page.content.decode()
    retry = client.post(f"{public_invoice_path(invoice)}checkout/")
    assert retry.status_code == 302
    assert OnlinePayment.objects.filter(invoice=invoice).count() == 2


def test_a_second_click_reuses_the_open_checkout(
    client: Client, organization: Organization, mollie_account: PaymentProviderAccount, mollie_sandbox: MollieSandbox
) -> None:
    invoice = make_invoice(organization)
    first = _checkout(client, invoice)
    again = client.post(f"{public_invoice_path(invoice)}checkout/")
    assert again["Location"] == first.checkout_url
    assert len(mollie_sandbox.payments()) == 1


def test_a_refund_reopens_the_refunded_part(
    client: Client, organization: Organization, mollie_account: PaymentProviderAccount, mollie_sandbox: MollieSandbox
) -> None:
    invoice = make_invoice(organization)
    online = _checkout(client, invoice)
    mollie_sandbox.complete(online.provider_id, "paid")
    mollie_sandbox.refund(online.provider_id, "EUR", Decimal("21.00"), "part of it back", None)
    mollie_sandbox.process_refunds()

    online.refresh_from_db()
    invoice.refresh_from_db()
    assert online.status == OnlinePaymentStatus.PARTIALLY_REFUNDED
    assert online.amount_refunded == Decimal("21.00")
    assert invoice.balance_due == Decimal("21.00")
    assert [p.amount for p in Payment.objects.filter(invoice=invoice)] == [Decimal("100.00")]
    mollie_sandbox.redeliver(online.provider_id)
    invoice.refresh_from_db()
    assert invoice.balance_due == Decimal("21.00")


def test_an_expired_checkout_records_nothing(
    client: Client, organization: Organization, mollie_account: PaymentProviderAccount, mollie_sandbox: MollieSandbox
) -> None:
    invoice = make_invoice(organization)
    online = _checkout(client, invoice)
    mollie_sandbox.advance(seconds=901)
    mollie_sandbox.expire_due()

    online.refresh_from_db()
    assert online.status == OnlinePaymentStatus.EXPIRED
    assert Invoice.objects.get(pk=invoice.pk).balance_due == Decimal("121.00")


def test_a_mollie_outage_during_the_webhook_is_retried_and_then_recorded(
    client: Client, organization: Organization, mollie_account: PaymentProviderAccount, mollie_sandbox: MollieSandbox
) -> None:
    invoice = make_invoice(organization)
    online = _checkout(client, invoice)
    mollie_sandbox.faults.add({"kind": "503", "method": "GET", "path": f"/v2/payments/{online.provider_id}"})
    mollie_sandbox.complete(online.provider_id, "paid")

    assert [d["status"] for d in mollie_sandbox.webhook_deliveries] == [503]
    assert not Payment.objects.filter(invoice=invoice).exists()
    mollie_sandbox.release_webhooks()  # Mollie's retry
    assert [d["status"] for d in mollie_sandbox.webhook_deliveries] == [503, 200]
    assert Invoice.objects.get(pk=invoice.pk).status == InvoiceStatus.PAID


def test_a_revoked_key_is_shown_to_the_owner_and_the_payer_gets_a_message(
    client: Client, organization: Organization, mollie_account: PaymentProviderAccount, mollie_sandbox: MollieSandbox
) -> None:
    PaymentProviderAccount.objects.filter(pk=mollie_account.pk).update(secret_key="test_" + "r" * 30)
    response = client.post(f"{public_invoice_path(make_invoice(organization))}checkout/")
    assert response.status_code == 200
    assert "not available right now" in response.content.decode()
    mollie_account.refresh_from_db()
    assert mollie_account.last_error


def test_a_replaced_keys_refusal_is_not_pinned_on_the_current_key(
    client: Client, organization: Organization, mollie_account: PaymentProviderAccount, mollie_sandbox: MollieSandbox
) -> None:
    """A payment started with the old key is fetched with it: its refusal says nothing about the
    key the owner uses now, which must not be shown as refused."""
    online = _checkout(client, make_invoice(organization))
    PaymentProviderAccount.objects.filter(pk=mollie_account.pk).update(enabled=False, secret_key="test_" + "r" * 30)
    current = PaymentProviderAccount.objects.create(
        organization=organization, provider=mollie_account.provider, secret_key=mollie_account.secret_key
    )

    response = client.post("/webhooks/mollie/", {"id": online.provider_id})

    assert response.status_code == 503
    current.refresh_from_db()
    mollie_account.refresh_from_db()
    assert current.last_error == ""
    assert mollie_account.last_error
