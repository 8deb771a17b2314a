"""The invoice email, the reminder and the PDF say "Pay online" with the public link when the
organisation takes online payment and the invoice has a balance; the staff see the attempts."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.test import Client
from pytest_django.fixtures import Settings as SettingsWrapper

from core.models import Organization
from invoices import services
from invoices.notifications import send_reminder_email
from invoices.pdf import invoice_pdf
from payments.links import public_invoice_url
from payments.models import OnlinePayment, PaymentProviderAccount, Provider
from tests.factories import make_invoice, pay
from tests.invoices.test_pdf import pdf_text
from tests.mail import html_of, only_message

pytestmark = pytest.mark.django_db

KEY = "test_" + "k" * 30


@pytest.fixture(autouse=True)
def _site(settings: SettingsWrapper) -> None:
    settings.SITE_URL = "https://app.example.be"


@pytest.fixture
def account(organization: Organization) -> PaymentProviderAccount:
    return PaymentProviderAccount.objects.create(organization=organization, provider=Provider.MOLLIE, secret_key=KEY)


@pytest.mark.usefixtures("account")
def test_the_invoice_email_carries_the_link(organization: Organization) -> None:
    invoice = make_invoice(organization, sent=False)
    services.send_invoice(invoice)
    message = only_message()
    url = public_invoice_url(invoice)
    assert f"Pay online: {url}" in message.body
    assert f'href="{url}"' in html_of(message)


def test_without_an_account_there_is_no_link(organization: Organization) -> None:
    services.send_invoice(make_invoice(organization, sent=False))
    assert "Pay online" not in only_message().body
    assert "/pay/" not in only_message().body


@pytest.mark.usefixtures("account")
def test_the_reminder_carries_the_link_until_the_invoice_is_paid(organization: Organization) -> None:
    invoice = make_invoice(organization)
    send_reminder_email(invoice, 3, today=invoice.due_date + datetime.timedelta(days=3))
    assert public_invoice_url(invoice) in mail.outbox[-1].body
    pay(invoice, "121.00")
    invoice.refresh_from_db()
    send_reminder_email(invoice, 7, today=invoice.due_date + datetime.timedelta(days=7))
    assert "/pay/" not in mail.outbox[-1].body


@pytest.mark.usefixtures("account")
def test_the_pdf_says_pay_online_with_the_link(organization: Organization) -> None:
    invoice = make_invoice(organization)
    text = pdf_text(invoice_pdf(invoice))
    assert "Pay online:" in text
    assert "https://app.example.be/pay/" in text.replace(" ", "")


def test_the_pdf_has_no_link_without_online_payment(organization: Organization) -> None:
    assert "Pay online" not in pdf_text(invoice_pdf(make_invoice(organization)))


@pytest.mark.usefixtures("account")
def test_the_pdf_of_a_deleted_invoice_has_no_link(organization: Organization) -> None:
    """Its public page answers 404: a link to it would only send the payer to an error."""
    invoice = make_invoice(organization)
    services.soft_delete(invoice)
    assert "Pay online" not in pdf_text(invoice_pdf(invoice))


@pytest.mark.usefixtures("account")
def test_the_pdf_of_a_cancelled_invoice_has_no_link(organization: Organization) -> None:
    invoice = make_invoice(organization)
    services.cancel_invoice(invoice)
    assert "Pay online" not in pdf_text(invoice_pdf(invoice))


def test_the_invoice_page_shows_the_online_payments(
    owner_client: Client, organization: Organization, account: PaymentProviderAccount
) -> None:
    invoice = make_invoice(organization)
    OnlinePayment.objects.create(
        organization=organization,
        invoice=invoice,
        account=account,
        provider=Provider.MOLLIE,
        provider_id="tr_shown",
        amount=Decimal("121.00"),
        currency="EUR",
        status="partially_refunded",
        amount_refunded=Decimal("21.00"),
    )
    page = owner_client.get(f"/invoices/{invoice.pk}/").content.decode()
    assert 'data-online-payment="tr_shown"' in page
    assert "Partially refunded" in page
    assert public_invoice_url(invoice) in page
