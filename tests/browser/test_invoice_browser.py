"""The invoice page's payment QR code and the numbers a Peppol invoice needs, seen in Chromium on
a desktop and a phone: the code drawn whole and readable by a QR decoder from the screenshot
itself, a wrong enterprise number refused in words; no CSP violation, nothing wider than the
screen."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
import zxingcpp
from django.urls import reverse
from PIL import Image
from playwright.sync_api import Page, expect

from core.models import Organization, User
from invoices.models import BillingProfile
from tests.browser.conftest import BrowserLog
from tests.browser.test_connections_and_members_browser import WIDTHS, fits_the_screen
from tests.browser.test_dashboard_browser import log_in
from tests.factories import make_client, make_invoice

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_scan_to_pay_code_reads_from_the_screen_on_desktop_and_phone(
    page: Page,
    browser_log: BrowserLog,
    organization: Organization,
    owner: User,
    password: str,
    screenshot: Callable[[Page, str], Path],
):
    BillingProfile.objects.create(organization=organization, legal_name="Atelier Peeters BV", iban="BE71096123456769")
    invoice = make_invoice(organization)

    log_in(page, owner, password)
    for label, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(invoice.get_absolute_url())

        code = page.locator(".payment-qr svg")
        expect(code).to_be_visible()
        code.scroll_into_view_if_needed()
        screenshot(page, f"invoice-scan-to-pay-{label}")
        [result] = zxingcpp.read_barcodes(Image.open(io.BytesIO(code.screenshot())))
        assert result.text.startswith("BCD\n002\n")
        assert result.text.endswith(f"\nEUR121\n\n{invoice.formatted_reference}")
        assert fits_the_screen(page), f"the invoice page is wider than the {label} screen"

    assert browser_log.problems() == []


def test_the_numbers_a_peppol_invoice_needs_read_well_on_desktop_and_phone(
    page: Page,
    browser_log: BrowserLog,
    organization: Organization,
    owner: User,
    password: str,
    screenshot: Callable[[Page, str], Path],
):
    client = make_client(organization, vat_number="BE0477472701", enterprise_number="0477472701", country="BE")

    log_in(page, owner, password)
    for label, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(client.get_absolute_url())
        expect(page.locator("dl.facts code")).to_have_text("0208:0477472701")
        screenshot(page, f"client-peppol-id-{label}")
        assert fits_the_screen(page), f"the client page is wider than the {label} screen"

        page.goto(reverse("invoices:billing_settings"))
        page.get_by_label("Enterprise number").fill("0477.472.702")
        page.get_by_role("button", name="Save").click()
        expect(page.locator("body")).to_contain_text("its check digits do not match")
        screenshot(page, f"billing-settings-enterprise-number-error-{label}")
        assert fits_the_screen(page), f"the billing settings are wider than the {label} screen"

    assert browser_log.problems() == []
