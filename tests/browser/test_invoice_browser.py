"""The invoice page's payment QR code and the numbers a Peppol invoice needs, seen in Chromium on
a desktop and a phone: the code drawn whole and readable by a QR decoder from the screenshot
itself, a wrong enterprise number refused in words; no CSP violation, nothing wider than the
screen."""

from __future__ import annotations

import io
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
import zxingcpp
from django.urls import reverse
from django.utils import translation
from PIL import Image
from playwright.sync_api import Page, expect

from core.formatting import format_money
from core.models import Organization, User
from invoices.models import BillingProfile, Invoice
from tests.browser.conftest import BrowserLog
from tests.browser.test_connections_and_members_browser import WIDTHS, fits_the_screen
from tests.browser.test_dashboard_browser import log_in
from tests.factories import make_billing_profile, make_client, make_invoice, make_lines, make_product

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


def in_dutch(amount: Decimal, currency: str = "EUR") -> str:
    with translation.override("nl"):
        return format_money(amount, currency)


def test_the_editor_totals_lines_live_as_the_server_does_and_fills_a_line_from_the_catalogue(
    page: Page,
    browser_log: BrowserLog,
    organization: Organization,
    owner: User,
    password: str,
    screenshot: Callable[[Page, str], Path],
):
    """Amounts whose rounding catches floats and per-line VAT: 0,335 m of cable at 3,00 is 1,005
    (1,01 rounded half up); three lines of 0,12 at 21 % have 0,03 VAT each, 0,09 together, yet the
    VAT of their group is 0,36 x 21 % = 0,0756, so 0,08. The page must show what the server saves."""
    owner.language = "nl"
    owner.save(update_fields=["language"])
    make_billing_profile(organization, legal_name="Atelier Peeters BV")
    client = make_client(organization, name="Brasserie Dupont")
    make_product(organization, name="Kabel per meter", unit_price=Decimal("3.00"), unit="m")

    log_in(page, owner, password)
    for label, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(reverse("invoices:invoice_create"))
        page.locator("select[name=client]").select_option(str(client.pk))
        page.locator("[name=lines-0-description]").locator("xpath=..").locator("[data-product-pick]").select_option(
            label="Kabel per meter"
        )
        expect(page.locator("[name=lines-0-unit_price]")).to_have_value("3,00")
        page.locator("[name=lines-0-quantity]").fill("0,335")
        for n in (1, 2, 3):
            page.locator("[data-formset-add=lines]").click()
            page.locator(f"[name=lines-{n}-description]").fill("Sticker")
            page.locator(f"[name=lines-{n}-quantity]").fill("1")
            page.locator(f"[name=lines-{n}-unit_price]").fill("0,12")
        page.locator("[data-formset-add=lines]").click()
        page.locator("[name=lines-4-description]").fill("Boeken")
        page.locator("[name=lines-4-quantity]").fill("3")
        page.locator("[name=lines-4-unit_price]").fill("12,35")
        page.locator("[name=lines-4-vat_rate]").select_option("6")

        totals = page.locator("[data-document-totals]")
        expect(totals.locator("[data-total-gross]")).to_have_text(in_dutch(Decimal("40.93")))
        first_line = page.locator("[data-formset-row]").first
        expect(first_line.locator("[data-line-net]")).to_have_text(in_dutch(Decimal("1.01")))
        shown = {
            "net": totals.locator("[data-total-net]").inner_text(),
            "vat": totals.locator("dd[data-vat-amount]").all_inner_texts(),
            "total": totals.locator("[data-total-gross]").inner_text(),
        }
        totals.scroll_into_view_if_needed()
        screenshot(page, f"invoice-editor-live-totals-{label}")
        assert fits_the_screen(page), f"the invoice editor is wider than the {label} screen"

        page.locator("form.form button[type=submit]").click()
        expect(page.locator("h1")).to_contain_text("INV-")
        saved = Invoice.objects.latest("id")
        groups = saved.vat_groups(list(saved.items.all()))
        assert shown == {
            "net": in_dutch(saved.subtotal),
            "vat": [in_dutch(group.vat) for group in groups],
            "total": in_dutch(saved.total),
        }
        assert [group.vat for group in groups] == [Decimal("0.29"), Decimal("2.22")]

    assert browser_log.problems() == []


def test_the_send_page_previews_the_email_in_the_clients_language(
    page: Page,
    browser_log: BrowserLog,
    organization: Organization,
    owner: User,
    password: str,
    screenshot: Callable[[Page, str], Path],
):
    make_billing_profile(organization, legal_name="Atelier Peeters BV")
    client = make_client(organization, name="Boulangerie Martin", language="fr")
    invoice = make_invoice(organization, client, lines=make_lines(("1", "2081.24", "21")), sent=False)
    with translation.override("fr"):
        amount = format_money(Decimal("2518.30"))

    log_in(page, owner, password)
    for label, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(reverse("invoices:invoice_send", args=[invoice.pk]))
        preview = page.locator(".email-preview")
        expect(preview.locator("[data-email-body]")).to_contain_text(amount)
        expect(preview.locator("[data-email-attachment]")).to_have_text(f"{invoice.number}.pdf")
        preview.scroll_into_view_if_needed()
        screenshot(page, f"invoice-send-preview-{label}")
        assert fits_the_screen(page), f"the send page is wider than the {label} screen"

    assert browser_log.problems() == []


def test_the_catalogue_the_logo_and_a_credit_note_read_well_on_desktop_and_phone(
    page: Page,
    browser_log: BrowserLog,
    organization: Organization,
    owner: User,
    password: str,
    screenshot: Callable[[Page, str], Path],
):
    logo = io.BytesIO()
    Image.new("RGB", (480, 160), (11, 95, 255)).save(logo, "PNG")
    make_billing_profile(organization, legal_name="Atelier Peeters BV", logo=logo.getvalue(), logo_type="image/png")
    make_product(organization, name="Consulting hour", unit_price=Decimal("95.00"), unit="hour")
    make_product(
        organization,
        name="Licence (EU business)",
        unit_price=Decimal("1250.00"),
        vat_rate=Decimal("0"),
        vat_category="AE",
    )
    invoice = make_invoice(organization, lines=make_lines(("10", "20.00", "21"), ("1", "35.00", "6")))

    log_in(page, owner, password)
    for label, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(reverse("invoices:product_list"))
        expect(page.locator("table.catalogue")).to_contain_text("Licence (EU business)")
        screenshot(page, f"catalogue-{label}")
        assert fits_the_screen(page), f"the catalogue is wider than the {label} screen"

        page.goto(reverse("invoices:product_create"))
        screenshot(page, f"product-form-{label}")
        assert fits_the_screen(page), f"the product form is wider than the {label} screen"

        page.goto(reverse("invoices:billing_settings"))
        expect(page.locator("img.logo-preview")).to_be_visible()
        screenshot(page, f"billing-settings-logo-{label}")
        assert fits_the_screen(page), f"the billing settings are wider than the {label} screen"

        page.goto(reverse("invoices:credit_note_create", args=[invoice.pk]))
        page.locator("[name=lines-0-quantity]").fill("3")
        page.locator("[name=lines-1-DELETE]").check()
        expect(page.locator("[data-total-gross]")).to_have_text(format_money(Decimal("72.60")))
        screenshot(page, f"credit-note-form-{label}")
        assert fits_the_screen(page), f"the credit note form is wider than the {label} screen"

    assert browser_log.problems() == []
