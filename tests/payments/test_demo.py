"""`make run`'s demo organisation pays an invoice online through the Mollie sandbox."""

from __future__ import annotations

import httpx
import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.test import Client
from pytest_django.fixtures import Settings as SettingsWrapper

from core.management.commands.seed_demo import DEMO_ORGANIZATION
from invoices.models import Invoice, InvoiceStatus
from payments.links import public_invoice_path
from payments.models import OnlinePayment, PaymentProviderAccount, Provider
from sandboxes.mollie import DEFAULT_API_KEY, MollieSandbox
from tests.subprocess_django import run_django


def test_under_debug_the_demo_key_is_the_mollie_sandboxs() -> None:
    result = run_django("from django.conf import settings; print(settings.MOLLIE_DEMO_API_KEY)", DEBUG="1")
    assert result.stdout.strip().splitlines()[-1] == DEFAULT_API_KEY, result.stderr
    production = run_django(
        "from django.conf import settings; print(repr(settings.MOLLIE_DEMO_API_KEY))",
        SECRET_KEY="a-production-secret-key-that-is-long-enough-0123456789",
        FIELD_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        ALLOWED_HOSTS="invoices.example.com",
    )
    assert production.stdout.strip().splitlines()[-1] == "''", production.stderr


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("site")
def test_the_demo_organisation_pays_an_invoice_through_the_sandbox_checkout(
    client: Client, settings: SettingsWrapper, mollie_sandbox: MollieSandbox
) -> None:
    settings.DEBUG = True
    settings.MOLLIE_DEMO_API_KEY = DEFAULT_API_KEY
    call_command("seed_demo")
    call_command("seed_demo_billing")
    call_command("seed_demo")  # again: still one account
    account = PaymentProviderAccount.objects.get(organization__name=DEMO_ORGANIZATION)
    assert (account.provider, account.secret_key, account.enabled) == (Provider.MOLLIE, DEFAULT_API_KEY, True)

    invoice = Invoice.objects.filter(organization=account.organization).open().earliest("issue_date")
    page = client.get(public_invoice_path(invoice))
    assert "pay-online" in page.content.decode()
    checkout = client.post(f"{public_invoice_path(invoice)}checkout/")["Location"]
    # The payer on the sandbox's checkout page: choose the outcome, get sent back.
    online = OnlinePayment.objects.get(invoice=invoice)
    back = httpx.post(checkout, data={"method": "bancontact", "status": "paid"})
    assert back.status_code == 303, back.text[:300]
    assert back.headers["location"].startswith(f"{settings.SITE_URL}{public_invoice_path(invoice)}return/")

    returned = client.get(back.headers["location"].removeprefix(settings.SITE_URL))
    assert 'data-online-status="paid"' in returned.content.decode()
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID
    online.refresh_from_db()
    assert online.payment is not None
