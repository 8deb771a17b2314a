"""The billing pages in French, the language with the longest words, on a desktop and a phone:
nothing wider than the screen, no CSP violation, nothing the browser complains about."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import Page

from core.models import Organization, User
from invoices import services
from tests.browser.conftest import BrowserLog
from tests.browser.test_connections_and_members_browser import WIDTHS, fits_the_screen
from tests.browser.test_dashboard_browser import log_in
from tests.factories import make_client, make_invoice, make_lines, make_received_document

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_billing_pages_in_french_fit_desktop_and_phone(
    page: Page,
    browser_log: BrowserLog,
    organization: Organization,
    owner: User,
    password: str,
    screenshot: Callable[[Page, str], Path],
):
    owner.language = "fr"
    owner.save(update_fields=["language"])
    client = make_client(organization, name="Brasserie Dupont")
    invoice = make_invoice(organization, client, lines=make_lines(("2", "1250.00", "21")))
    services.record_payment(
        organization=organization,
        client=client,
        invoice=invoice,
        amount=Decimal("1000.00"),
        date=datetime.date(2026, 3, 20),
        currency="EUR",
    )
    challan = services.create_challan(
        organization=organization,
        client=client,
        lines=make_lines(("3", "1250.00", "21")),
        date=datetime.date(2026, 3, 1),
    )
    received = make_received_document(organization)
    pages = {
        "invoices": reverse("invoices:invoice_list"),
        "statement": reverse("invoices:client_statement", args=[client.pk]) + "?from=all",
        "payments": reverse("invoices:payment_list"),
        "delivery-note": challan.get_absolute_url(),
        "einvoice": reverse("invoices:invoice_einvoice", args=[invoice.pk]),
        "received": reverse("invoices:received_detail", args=[received.pk]),
    }

    log_in(page, owner, password)
    for label, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        for name, url in pages.items():
            page.goto(url)
            assert page.locator("html").get_attribute("lang") == "fr"
            screenshot(page, f"{name}-{label}")
            assert fits_the_screen(page), f"the {name} page is wider than the {label} screen"

    assert browser_log.problems() == []
