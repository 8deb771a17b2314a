"""A line's VAT category in the invoice editor and the e-invoice page, seen in Chromium on a desktop
and a phone: a category that needs a reason says so on its line, the e-invoice page names each
broken rule by its id and says when the invoice is ready; no CSP violation, nothing wider than the
screen."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from core.models import Organization, User
from invoices.models import BillingProfile
from invoices.services import Line
from tests.browser.conftest import BrowserLog
from tests.browser.test_connections_and_members_browser import WIDTHS, fits_the_screen
from tests.browser.test_dashboard_browser import log_in
from tests.factories import make_client, make_invoice

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_lines_vat_category_and_the_einvoice_check_read_well_on_desktop_and_phone(
    page: Page,
    browser_log: BrowserLog,
    organization: Organization,
    owner: User,
    password: str,
    screenshot: Callable[[Page, str], Path],
):
    client = make_client(organization, name="Klant NV", vat_number="BE0700123432", enterprise_number="0700123432")
    lines = [
        Line("Consultancy", Decimal("10"), Decimal("85.00"), Decimal("21")),
        Line("Training", Decimal("1"), Decimal("400.00"), Decimal("0"), "E", "Art. 44 § 2 4° WBTW"),
    ]
    invoice = make_invoice(organization, client, lines=lines)

    log_in(page, owner, password)
    for label, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(reverse("invoices:invoice_create"))
        page.locator("#id_client").select_option(str(client.pk))
        page.locator("#id_lines-0-description").fill("Training")
        page.locator("#id_lines-0-quantity").fill("1")
        page.locator("#id_lines-0-unit_price").fill("400")
        page.locator("#id_lines-0-vat_rate").select_option("0")
        page.locator("#id_lines-0-vat_category").select_option("E")
        page.get_by_role("button", name="Save").first.click()
        expect(page.locator("body")).to_contain_text("Say why the line is exempt from VAT")
        screenshot(page, f"invoice-form-vat-category-{label}")
        assert fits_the_screen(page), f"the invoice form is wider than the {label} screen"

        # Without the seller's details, the page names the rules that fail.
        page.goto(reverse("invoices:invoice_einvoice", args=[invoice.pk]))
        expect(page.locator(".einvoice-check h2")).to_contain_text("Not ready for Peppol")
        expect(page.locator(".einvoice-issues")).to_contain_text("PEPPOL-EN16931-R020")
        screenshot(page, f"einvoice-not-ready-{label}")
        assert fits_the_screen(page), f"the e-invoice page is wider than the {label} screen"

    BillingProfile.objects.create(
        organization=organization,
        legal_name="Atelier Peeters BV",
        address_line1="Kerkstraat 1",
        postal_code="9000",
        city="Gent",
        country="BE",
        vat_number="BE0477472701",
        enterprise_number="0477472701",
        iban="BE71096123456769",
    )
    for label, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(invoice.get_absolute_url())
        page.get_by_role("link", name="E-invoice").click()
        expect(page.locator(".einvoice-check h2")).to_have_text("Ready for Peppol")
        screenshot(page, f"einvoice-ready-{label}")
        assert fits_the_screen(page), f"the e-invoice page is wider than the {label} screen"

    assert browser_log.problems() == []
