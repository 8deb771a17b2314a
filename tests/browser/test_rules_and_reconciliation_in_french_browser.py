"""The category rules and the reconciliation pages in French, the language with the longest
words, on a desktop and a phone: nothing wider than the screen, no CSP violation, nothing the
browser complains about."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import Page

from banking import reconciliation
from banking.models import CategoryRule, Match, MatchStatus
from core.models import Organization, User
from tests.browser.conftest import BrowserLog
from tests.browser.test_connections_and_members_browser import WIDTHS, fits_the_screen
from tests.browser.test_dashboard_browser import log_in
from tests.factories import add_transactions, make_bank_account, make_client, make_invoice, make_lines

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

IBAN = "BE71096123456769"
DAY = datetime.date(2026, 3, 20)


def test_the_rules_and_reconciliation_pages_in_french_fit_desktop_and_phone(
    page: Page,
    browser_log: BrowserLog,
    organization: Organization,
    owner: User,
    password: str,
    screenshot: Callable[[Page, str], Path],
):
    owner.language = "fr"
    owner.save(update_fields=["language"])
    rule = CategoryRule.objects.create(
        organization=organization,
        category="Télécommunications",
        field="counterpart_name",
        operator="contains",
        value="Proximus",
        amount_min=Decimal("-1250.50"),
        amount_max=Decimal("0"),
    )
    payer = make_client(organization, name="Brasserie Dupont")
    payer.bank_accounts.create(organization=organization, iban=IBAN)
    invoices = [make_invoice(organization, payer, lines=make_lines(("1", "1500.00", "21"))) for _ in range(2)]
    account = make_bank_account(organization)
    add_transactions(account, (DAY, "1815.00"), counterpart_iban=IBAN, counterpart_name="Brasserie Dupont")
    add_transactions(account, (DAY, "100.00"), remittance_information=invoices[1].number)
    reconciliation.reconcile(organization.pk)
    waiting = Match.objects.get(status=MatchStatus.SUGGESTED)
    pages = {
        "rules": reverse("banking:rules"),
        "rule-form": reverse("banking:rule_edit", args=[rule.pk]),
        "reconciliation": reverse("banking:reconciliation"),
        "match": reverse("banking:match_detail", args=[waiting.pk]),
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
