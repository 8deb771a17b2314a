"""`make run`'s first reconciliation review in a real browser, on a laptop and a phone: the demo
organisation seeded as the Makefile seeds it, the sandbox's demo bank linked and synced."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.fixtures import Settings

from core.management.commands.seed_demo import DEMO_EMAIL, DEMO_PASSWORD
from core.models import User
from integrations.models import SyncStatus
from integrations.runner import run_sync
from invoices.demo import bank_payment_records, demo_bank_payments
from sandboxes.ponto import PontoSandbox
from sandboxes.ponto import demo as sandbox_demo
from sandboxes.ponto.records import CustomerPayment
from tests.browser.conftest import BrowserLog
from tests.browser.test_dashboard_browser import WIDTHS, assert_no_browser_problems, fits_the_screen, log_in
from tests.integrations.ponto.conftest import link_ponto

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

HEIGHTS = {"desktop": 768, "phone": 844}


@pytest.fixture
def customer_payments() -> list[CustomerPayment]:
    # What make run hands the sandbox.
    return sandbox_demo.customer_payments(bank_payment_records(demo_bank_payments(timezone.localdate())))


def test_the_demo_review_shows_each_payment_beside_the_invoice_it_pays(
    page: Page,
    browser_log: BrowserLog,
    ponto: PontoSandbox,
    client: Client,
    settings: Settings,
    screenshot: Callable[[Page, str], Path],
):
    settings.DEBUG = True  # the seed commands refuse to run without it
    for command in ("seed_demo", "seed_demo_billing", "seed_demo_rules"):
        call_command(command, stdout=io.StringIO())
    demo_user = User.objects.get(email=DEMO_EMAIL)
    client.force_login(demo_user)
    run = run_sync(link_ponto(client).pk)
    assert run is not None and run.status == SyncStatus.SUCCESS
    paid = [payment for payment in demo_bank_payments(timezone.localdate()) if payment.pays]

    log_in(page, demo_user, DEMO_PASSWORD)
    for label, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": HEIGHTS[label]})
        page.goto(reverse("banking:reconciliation"))
        expect(page.get_by_test_id("match-row")).to_have_count(sum(1 for p in paid if len(p.pays) > 1))
        expect(page.get_by_test_id("applied-row")).to_have_count(sum(1 for p in paid if len(p.pays) == 1))
        for payment in paid:
            for invoice in payment.pays:
                expect(page.get_by_role("link", name=invoice.number, exact=True).first).to_be_visible()
        screenshot(page, f"demo-reconciliation-{label}")
        assert fits_the_screen(page), f"the review is wider than the {label} screen"
    assert_no_browser_problems(browser_log)
