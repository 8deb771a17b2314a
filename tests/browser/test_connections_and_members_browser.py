"""The screens of the connections and members, seen in Chromium on a desktop and a phone: an
account linked through Ponto and Yuki, a ledger account's IBAN, an invoice booked in Yuki and a
pending invitation. Nothing the browser complains about, nothing wider than the screen."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from core.models import Organization, User
from integrations.models import ExternalBooking, Provider
from tests.browser.conftest import BrowserLog
from tests.browser.test_dashboard_browser import log_in
from tests.factories import make_bank_account, make_connection, make_invitation, make_invoice

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

IBAN = "BE68539007547034"
WIDTHS = {"desktop": 1366, "phone": 390}


def fits_the_screen(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"))


def test_connection_members_and_invoice_pages_read_well_on_desktop_and_phone(
    page: Page,
    browser_log: BrowserLog,
    organization: Organization,
    owner: User,
    password: str,
    screenshot: Callable[[Page, str], Path],
):
    ponto = make_connection(organization, display_name="Ponto · KBC")
    yuki = make_connection(organization, provider=Provider.YUKI, display_name="Yuki · Acme", config={"region": "BE"})
    make_bank_account(organization, "12480.55", connection=ponto, iban=IBAN, name="Zichtrekening")
    make_bank_account(organization, "12480.55", connection=yuki, iban=IBAN, name="Ledger 550000", subtype="ledger")
    make_bank_account(organization, "310.00", connection=yuki, iban="", name="Ledger 570000 Kas", subtype="ledger")
    invoice = make_invoice(organization)
    ExternalBooking.objects.create(
        organization=organization, invoice=invoice, connection=yuki, succeeded=True, external_reference="VF-2026-0042"
    )
    make_invitation(organization, "new.colleague@example.com")

    log_in(page, owner, password)
    for label, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})

        page.goto(yuki.get_absolute_url())
        expect(page.locator("#linked-elsewhere")).to_contain_text("Ponto · KBC")
        expect(page.locator("#linked-elsewhere")).to_contain_text("Count from this connection")
        expect(page.get_by_label("IBAN of Ledger 570000 Kas")).to_have_value("")
        screenshot(page, f"yuki-connection-{label}")
        assert fits_the_screen(page), f"the connection page is wider than the {label} screen"

        page.goto(reverse("organization_members"))
        expect(page.locator("body")).to_contain_text("new.colleague@example.com")
        screenshot(page, f"members-{label}")

        page.goto(invoice.get_absolute_url())
        expect(page.locator(".yuki-booked")).to_have_text("Booked in Yuki as VF-2026-0042")
        screenshot(page, f"invoice-booked-{label}")

    assert browser_log.problems() == []
