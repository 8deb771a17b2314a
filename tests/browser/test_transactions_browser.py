"""The transactions screen in Chromium on a desktop and a phone: search, filter, categorise two
rows at once, make a rule from a row with its preview, open a transaction. Nothing the browser
complains about (console errors, CSP violations), nothing wider than the screen."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from banking.models import BankTransaction, CategoryRule
from core.models import Organization, User
from tests.browser.conftest import BrowserLog
from tests.browser.test_dashboard_browser import log_in
from tests.factories import add_transactions, make_bank_account

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {"desktop": 1366, "phone": 390}
DAY = datetime.date(2026, 3, 2)


def fits_the_screen(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"))


def seed(organization: Organization) -> None:
    account = make_bank_account(organization, "12480.55", name="Zichtrekening")
    add_transactions(
        account,
        *((DAY - datetime.timedelta(days=30 * n), "-42.50") for n in range(3)),
        counterpart_name="Proximus NV",
        counterpart_iban="BE12310000000000",
        remittance_information="Factuur 2026031234",
    )
    add_transactions(
        account,
        (DAY - datetime.timedelta(days=1), "1250.50"),
        counterpart_name="Brasserie Dupont SRL",
        counterpart_iban="BE71096123456769",
        remittance_information="+++090/9337/55493+++",
    )
    add_transactions(account, (DAY - datetime.timedelta(days=2), "-1850.00"), remittance_information="Huur kantoor")


@pytest.mark.parametrize("label", list(WIDTHS))
def test_search_filter_categorise_and_make_a_rule(
    label: str,
    page: Page,
    browser_log: BrowserLog,
    organization: Organization,
    owner: User,
    password: str,
    screenshot: Callable[[Page, str], Path],
):
    seed(organization)
    page.set_viewport_size({"width": WIDTHS[label], "height": 900})
    log_in(page, owner, password)
    page.goto(reverse("banking:transactions"))
    rows = page.get_by_test_id("transaction-row")
    expect(rows).to_have_count(5)
    screenshot(page, f"transactions-{label}")
    assert fits_the_screen(page), f"the transactions screen is wider than the {label} screen"

    # Search by amount as typed in Belgium, then filter money out only.
    page.get_by_label("Search").fill("1250,50")
    page.get_by_role("button", name="Filter").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Brasserie Dupont SRL")
    page.get_by_label("Search").fill("")
    page.get_by_label("Direction").select_option("out")
    page.get_by_role("button", name="Filter").click()
    expect(rows).to_have_count(4)
    expect(page.get_by_test_id("total-count")).to_have_text("4")

    # Tick two Proximus rows and categorise them at once.
    page.get_by_label("Search").fill("proximus")
    page.get_by_role("button", name="Filter").click()
    expect(rows).to_have_count(3)
    rows.nth(0).locator("[data-tick]").check()
    rows.nth(1).locator("[data-tick]").check()
    expect(page.locator("[data-bulk-count]")).to_contain_text("2")
    page.get_by_test_id("bulk-category").fill("Telecom")
    screenshot(page, f"transactions-bulk-{label}")
    page.get_by_test_id("bulk-apply").click()
    expect(page.locator(".message-success")).to_contain_text("2 transactions put in Telecom")
    assert BankTransaction.objects.filter(category="Telecom").count() == 2

    # The third one: always categorise like this, previewed, then applied.
    rows.nth(2).get_by_test_id("rule-link").click()
    page.get_by_label("Category").fill("Telecom")
    page.get_by_test_id("rule-preview").click()
    expect(page.get_by_test_id("rule-preview-result")).to_contain_text("It would change 1 past transaction")
    screenshot(page, f"transaction-rule-{label}")
    assert fits_the_screen(page), f"the rule page is wider than the {label} screen"
    page.get_by_test_id("rule-apply").click()
    expect(page.locator(".message-success")).to_contain_text("1 past transaction moved to Telecom")
    assert CategoryRule.objects.get().category == "Telecom"

    # Its page: the amount, the category and the history.
    expect(page.get_by_test_id("detail-category")).to_have_value("Telecom")
    page.locator(".raw-data summary").click()
    screenshot(page, f"transaction-detail-{label}")
    assert fits_the_screen(page), f"the transaction page is wider than the {label} screen"
    assert not browser_log.problems()
