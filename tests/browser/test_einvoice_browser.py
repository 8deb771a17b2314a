"""A line's VAT category in the invoice editor, the e-invoice page and sending over Peppol, seen in
Chromium on a desktop and a phone: a category that needs a reason says so on its line, the e-invoice
page names each broken rule by its id and says when the invoice is ready, the send page recommends
Peppol for a registered client and the invoice shows the delivery; no CSP violation, nothing wider
than the screen."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from core.models import Organization, User
from invoices.einvoicing import sending
from invoices.einvoicing.receiving import receive_document
from invoices.models import Transmission
from invoices.services import Line
from sandboxes.einvoice import EInvoiceSandbox, sample
from tests.browser.conftest import BrowserLog
from tests.browser.test_connections_and_members_browser import WIDTHS, fits_the_screen
from tests.browser.test_dashboard_browser import log_in
from tests.factories import make_billing_profile, make_client, make_invoice
from tests.invoices.einvoicing import conftest as einvoicing_fixtures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
# The access point's simulator, as the e-invoicing tests use it.
einvoice_sandbox = einvoicing_fixtures.einvoice_sandbox


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

    make_billing_profile(organization, legal_name="Atelier Peeters BV")
    for label, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(invoice.get_absolute_url())
        page.get_by_role("link", name="E-invoice").click()
        expect(page.locator(".einvoice-check h2")).to_have_text("Ready for Peppol")
        screenshot(page, f"einvoice-ready-{label}")
        assert fits_the_screen(page), f"the e-invoice page is wider than the {label} screen"

    assert browser_log.problems() == []


def test_sending_over_peppol_reads_well_and_shows_the_delivery_on_desktop_and_phone(
    page: Page,
    browser_log: BrowserLog,
    organization: Organization,
    owner: User,
    password: str,
    screenshot: Callable[[Page, str], Path],
    einvoice_sandbox: EInvoiceSandbox,
    run_queued_tasks: Callable[[], list[str]],
):
    make_billing_profile(organization, legal_name="Atelier Peeters BV")
    client = make_client(organization, name="Klant NV", vat_number="BE0700123432", enterprise_number="0700123432")
    invoices = {label: make_invoice(organization, client, sent=False) for label in WIDTHS}

    log_in(page, owner, password)
    for label, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(invoices[label].get_absolute_url())
        page.get_by_role("link", name="Send", exact=True).click()
        expect(page.locator(".send-channel-chosen h2")).to_contain_text("Via Peppol")
        screenshot(page, f"invoice-send-choice-{label}")
        assert fits_the_screen(page), f"the send page is wider than the {label} screen"

        page.get_by_role("button", name="Send over Peppol").click()
        expect(page.locator(".transmissions")).to_contain_text("Queued")
        # Besides the dashboards' own precompute after a data change, one upload.
        ran = run_queued_tasks()
        assert [task for task in ran if task.startswith("invoices.")] == ["invoices.tasks.advance_transmission"]
        page.reload()
        expect(page.locator(".transmissions")).to_contain_text("On its way")
        einvoice_sandbox.advance(10)
        Transmission.objects.filter(invoice=invoices[label]).get()  # one, not two
        sending.advance_live()  # the five-minute poll
        page.reload()
        expect(page.locator(".transmissions")).to_contain_text("Delivered")
        screenshot(page, f"invoice-delivered-over-peppol-{label}")
        assert fits_the_screen(page), f"the invoice page is wider than the {label} screen"

    assert browser_log.problems() == []


def test_a_suppliers_einvoice_reads_well_on_desktop_and_phone(
    page: Page,
    browser_log: BrowserLog,
    organization: Organization,
    owner: User,
    password: str,
    screenshot: Callable[[Page, str], Path],
    einvoice_sandbox: EInvoiceSandbox,
):
    make_billing_profile(organization, legal_name="Acme BV")
    [document] = einvoice_sandbox.receive(sample("invoice-21-6"))
    received = receive_document(document.id).received
    assert received is not None

    log_in(page, owner, password)
    for label, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(reverse("invoices:received_list"))
        expect(page.locator("tbody")).to_contain_text("Drukkerij Peeters BV")
        screenshot(page, f"received-list-{label}")
        assert fits_the_screen(page), f"the received list is wider than the {label} screen"

        page.get_by_role("link", name="Drukkerij Peeters BV").click()
        expect(page.locator("h1")).to_contain_text("DP-2026-0117")
        expect(page.locator(".einvoice-check h2")).to_have_text("Passes the rules")
        screenshot(page, f"received-detail-{label}")
        assert fits_the_screen(page), f"the received document is wider than the {label} screen"

    assert browser_log.problems() == []
