"""Online payment in Chromium, on a desktop and a phone, in English, Dutch and French: the owner
turns Mollie on, the client (not signed in) opens the invoice's public page in the client's
language, pays it at Mollie's test checkout (its simulator on 127.0.0.1) and comes back to a page
that says it is paid; the owner's invoice page shows the payment. Nothing the browser complains
about, nothing of ours wider than the screen."""

from __future__ import annotations

import copy
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect
from pytest_django.fixtures import Settings

from core.models import Organization, User
from invoices.models import InvoiceStatus, Payment
from payments.links import public_invoice_url
from payments.models import OnlinePayment, OnlinePaymentStatus
from sandboxes import mollie
from tests.browser.conftest import BrowserLog
from tests.browser.test_dashboard_browser import log_in
from tests.browser.test_transactions_browser import WIDTHS, fits_the_screen
from tests.factories import make_client, make_invoice
from tests.payments import conftest as payments_fixtures

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("site", "checkout_allowed"),
]

# Mollie's simulator served on a local port, and the service's address as Mollie reaches it.
mollie_sandbox = payments_fixtures.mollie_sandbox
site = payments_fixtures.site


@pytest.fixture
def checkout_allowed(mollie_sandbox: mollie.MollieSandbox, settings: Settings) -> None:
    """The Pay online form posts to us and is redirected to the provider's checkout: Chromium
    checks form-action on that redirect too. The service allows the checkouts' origins it is
    configured with when its settings load (PAYMENT_CHECKOUT_ORIGINS); this simulator listens on a
    port picked at test time, so its origin is added here, as linkable_ponto adds Ponto's."""
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(settings.MOLLIE_API_URL))
    policy = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
    policy["DIRECTIVES"]["form-action"] = [*policy["DIRECTIVES"]["form-action"], origin]
    settings.CONTENT_SECURITY_POLICY = policy


@pytest.mark.parametrize("language", ["en", "nl", "fr"])
@pytest.mark.parametrize("label", list(WIDTHS))
def test_the_owner_turns_mollie_on_and_the_client_pays_online(
    label: str,
    language: str,
    page: Page,
    browser_log: BrowserLog,
    organization: Organization,
    owner: User,
    password: str,
    mollie_sandbox: mollie.MollieSandbox,
    screenshot: Callable[[Page, str], Path],
):
    owner.language = language
    owner.save(update_fields=["language"])
    invoice = make_invoice(organization, make_client(organization, name="Café De Hoek", language=language))
    page.set_viewport_size({"width": WIDTHS[label], "height": 900})

    log_in(page, owner, password)
    page.goto(reverse("payments:settings"))
    page.locator("select[name=provider]").select_option("mollie")
    page.locator("input[name=secret_key]").fill(mollie.DEFAULT_API_KEY)
    screenshot(page, f"online-payment-settings-form-{language}-{label}")
    assert fits_the_screen(page), f"the online payment settings are wider than the {label} screen"
    page.locator("form.form button[type=submit]").click()
    expect(page.locator("[data-masked-key]")).to_be_visible()
    screenshot(page, f"online-payment-settings-{language}-{label}")
    assert fits_the_screen(page), f"the online payment settings are wider than the {label} screen"

    page.context.clear_cookies()  # the client is not signed in
    page.goto(public_invoice_url(invoice))
    expect(page.locator("html")).to_have_attribute("lang", language)
    screenshot(page, f"public-invoice-{language}-{label}")
    assert fits_the_screen(page), f"the public invoice page is wider than the {label} screen"
    page.locator("form.pay-online button[type=submit]").click()
    page.wait_for_url("**/mollie/checkout/**")
    page.locator("input[name=method][value=bancontact]").check()
    page.locator("button[name=status][value=paid]").click()

    expect(page.locator("[data-online-status]")).to_have_attribute("data-online-status", "paid")
    expect(page.locator("[data-balance-due]")).to_contain_text("0")
    screenshot(page, f"public-return-paid-{language}-{label}")
    assert fits_the_screen(page), f"the return page is wider than the {label} screen"
    page.locator(".card a").click()
    expect(page.locator("h1 .status-paid")).to_be_visible()
    expect(page.locator(".online-payments .status-paid")).to_be_visible()
    screenshot(page, f"public-invoice-paid-{language}-{label}")
    assert fits_the_screen(page), f"the paid public invoice page is wider than the {label} screen"

    log_in(page, owner, password)
    page.goto(reverse("invoices:invoice_detail", args=[invoice.pk]))
    online = OnlinePayment.objects.get(invoice=invoice)
    assert online.status == OnlinePaymentStatus.PAID
    expect(page.locator(f"[data-online-payment='{online.provider_id}'] .status-paid")).to_be_visible()
    expect(page.locator(".page-head .status-paid, h1 .status-paid").first).to_be_visible()
    screenshot(page, f"invoice-paid-online-{language}-{label}")
    assert fits_the_screen(page), f"the invoice page is wider than the {label} screen"

    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID
    recorded = Payment.objects.filter(invoice=invoice)
    assert [(p.amount, p.reference) for p in recorded] == [(Decimal("121.00"), f"mollie {online.provider_id}")]
    assert not browser_log.problems()
