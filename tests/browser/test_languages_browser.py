"""The app in Dutch and French, seen in Chromium: the browser's language first, then the
user's choice from the language menu, kept on the account; every main screen in each language
on a desktop and a phone, with no English phrase of our catalogue left, nothing wider than the
screen, and nothing the browser complains about."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from core.formatting import format_money
from core.models import Organization, User
from invoices import demo
from invoices.models import Invoice
from tests.browser.conftest import BrowserLog
from tests.browser.test_connections_and_members_browser import WIDTHS, fits_the_screen
from tests.browser.test_dashboard_browser import log_in
from tests.factories import add_transactions, make_bank_account, make_connection
from tests.translations import english_left_in, visible_text

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NAV_INVOICES = {"en": "Invoices", "nl": "Facturen", "fr": "Factures"}
SCREENS = {
    "overview": "dashboards:overview",
    "transactions": "banking:transactions",
    "invoices": "invoices:invoice_list",
    "clients": "invoices:client_list",
    "connections": "integrations:connection_list",
}


def seeded(organization: Organization) -> Invoice:
    demo.seed_billing(organization)
    account = make_bank_account(organization, "18250.40", connection=make_connection(organization))
    today = datetime.date.today()
    add_transactions(account, (today - datetime.timedelta(days=2), "-1250.00"), (today, "2518.30"))
    invoice = Invoice.objects.filter(organization=organization).exclude(status="draft").order_by("-pk").first()
    assert invoice is not None
    return invoice


def test_the_browsers_language_first_then_the_users_choice_everywhere(
    browser: Browser, live_server: LiveServer, organization: Organization, owner: User, password: str
) -> None:
    seeded(organization)
    dutch = browser.new_context(base_url=live_server.url, locale="nl-BE")
    dutch.set_default_timeout(15_000)
    page = dutch.new_page()
    log_in(page, owner, password)
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.locator(".mainnav")).to_contain_text(NAV_INVOICES["nl"])
    # The menu submits itself from app.js, which runs only once the page has loaded.
    page.wait_for_load_state("load")
    with page.expect_navigation():
        page.locator("#language-select").select_option("fr")
    expect(page.locator("html")).to_have_attribute("lang", "fr", timeout=15_000)
    expect(page.locator(".mainnav")).to_contain_text(NAV_INVOICES["fr"])
    owner.refresh_from_db()
    assert owner.language == "fr"
    dutch.close()

    # Another browser, in English: the account's choice wins.
    english = browser.new_context(base_url=live_server.url, locale="en-GB")
    english.set_default_timeout(15_000)
    page = english.new_page()
    log_in(page, owner, password)
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    english.close()


@pytest.mark.parametrize("language", ["en", "nl", "fr"])
def test_each_main_screen_reads_in_the_language_on_desktop_and_phone(
    page: Page,
    browser_log: BrowserLog,
    organization: Organization,
    owner: User,
    password: str,
    screenshot: Callable[[Page, str], Path],
    language: str,
) -> None:
    invoice = seeded(organization)
    owner.language = language
    owner.save()
    log_in(page, owner, password)
    screens = {**SCREENS, "invoice": invoice.get_absolute_url()}
    for label, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        for name, target in screens.items():
            page.goto(target if target.startswith("/") else reverse(target))
            expect(page.locator("html")).to_have_attribute("lang", language)
            if language != "en":
                left = english_left_in(visible_text(page.content(), language), language)
                assert not left, f"{name} ({label}) shows English: {left}"
            assert fits_the_screen(page), f"{name} is wider than the {label} screen in {language}"
            screenshot(page, f"{name}-{language}-{label}")
        if label == "phone":
            menu = page.locator(".nav-toggle")
            expect(page.locator(".mainnav")).to_be_hidden()
            menu.click()
            expect(page.locator(".mainnav")).to_contain_text(NAV_INVOICES[language])
            screenshot(page, f"menu-open-{language}-{label}")
    page.goto(reverse("invoices:invoice_list"))
    with translation.override(language):
        expect(page.locator("main")).to_contain_text(format_money(invoice.total, invoice.currency))
    assert browser_log.problems() == []
