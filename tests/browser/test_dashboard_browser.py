"""The cash-flow dashboard in a real browser: link Ponto, sync, read the charts, export, reconcile."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from core.models import Organization, User
from integrations.models import Connection, SyncRun, SyncStatus
from invoices.models import Client, Invoice
from invoices.references import make_reference
from invoices.services import save_client
from sandboxes.ponto import PontoSandbox
from sandboxes.ponto.banking import belgian_iban
from tests.browser.conftest import BrowserLog
from tests.factories import make_invoice, make_lines

pytestmark = pytest.mark.browser

CLIENT_IBAN = belgian_iban(363, 4455667)
PAYMENT = Decimal("400.00")  # pays neither open invoice exactly: reconciliation asks a person
CHARTS_SETTLED = (
    "() => [...document.querySelectorAll('[data-chart-url]')].every((chart) => chart.dataset.drawn)"
    " && [...document.querySelectorAll('[data-details-url]')].every((details) => details.dataset.loaded)"
)


def open_invoices_of_a_paying_client(organization: Organization) -> tuple[Invoice, Invoice]:
    """Two open invoices of a client whose IBAN the bank payment comes from. Their references are
    typed in, far from the sandbox's demo references, so no demo payment settles them."""
    client = save_client(
        Client(name="Atelier Lumière SRL", payment_terms_days=30), organization=organization, ibans=[CLIENT_IBAN]
    )
    issued = timezone.localdate() - datetime.timedelta(days=20)
    invoices = [
        make_invoice(
            organization,
            client,
            lines=make_lines(("1", price, "21")),
            issue_date=issued,
            payment_reference=make_reference(9_900_000_000 + n),
        )
        for n, price in enumerate(("500.00", "300.00"), start=1)
    ]
    return invoices[0], invoices[1]


def log_in(page: Page, user: User, password: str) -> None:
    page.goto(reverse("account_login"))
    page.locator("input[name=login]").fill(user.email)
    page.locator("input[name=password]").fill(password)
    page.locator("form").filter(has=page.locator("input[name=password]")).locator("button[type=submit]").click()
    expect(page.locator(".usermenu summary")).to_have_text(user.email)


def assert_charts_drawn(page: Page) -> None:
    page.wait_for_function(CHARTS_SETTLED)
    charts = page.locator("div.chart[data-chart-url]")
    assert charts.count() >= 5
    for chart in charts.all():
        name = chart.get_attribute("id")
        assert chart.get_attribute("data-drawn") == "true", f"{name} was not drawn"
        assert chart.locator("svg.main-svg").count() >= 1, f"{name} has no plotly SVG"
    details = page.locator("div.chart-details[data-details-url]")
    assert details.count() == charts.count()
    for table in details.all():
        assert table.get_attribute("data-loaded") == "true", f"{table.get_attribute('id')} was not loaded"
        assert table.locator("table").count() == 1


def assert_no_browser_problems(log: BrowserLog) -> None:
    assert not log.problems(), "\n".join(log.problems())


def test_owner_links_ponto_reads_the_dashboard_and_confirms_a_match(
    page: Page,
    browser_log: BrowserLog,
    linkable_ponto: PontoSandbox,
    organization: Organization,
    owner: User,
    password: str,
    run_queued_tasks: Callable[[], list[str]],
    screenshot: Callable[[Page, str], Path],
):
    larger, smaller = open_invoices_of_a_paying_client(organization)
    linkable_ponto.add_transactions(
        linkable_ponto.accounts[0].id,
        transactions=[
            {
                "amount": str(PAYMENT),
                "counterpartName": "Atelier Lumière SRL",
                "counterpartReference": CLIENT_IBAN,
                "remittanceInformation": "Acompte commande de printemps",
            }
        ],
    )

    log_in(page, owner, password)

    # Connect Ponto: our form sends the browser to the sandbox's consent page, which sends it back.
    page.goto(reverse("integrations:connection_list"))
    page.get_by_role("button", name="Connect Ponto").click()
    expect(page.get_by_role("heading", name="Ponto sandbox: connect your accounts")).to_be_visible()
    page.get_by_role("button", name="Approve").click()
    expect(page.locator(".message-success")).to_contain_text("is linked")
    connection = Connection.objects.get(organization=organization)

    # The first sync was queued by the callback; "Sync now" queues another. The workers' part
    # runs here, with no page open, so the live server is idle meanwhile.
    page.goto("about:blank")
    assert "integrations.tasks.sync_connection" in run_queued_tasks()
    page.goto(reverse("integrations:connection_list"))
    page.get_by_role("button", name="Sync now").click()
    expect(page.locator(".message-success")).to_contain_text("Sync started")
    page.goto("about:blank")
    run_queued_tasks()
    runs = SyncRun.objects.filter(connection=connection)
    assert runs.count() == 2
    assert set(runs.values_list("status", flat=True)) == {SyncStatus.SUCCESS}

    # The dashboard: every chart drawn by plotly under the CSP.
    page.goto(reverse("dashboards:overview"))
    assert_charts_drawn(page)
    screenshot(page, "dashboard-12-months")

    # Another period: the filters go in the URL and every chart is drawn again for it.
    filters = page.get_by_test_id("filters")
    filters.locator("select[name=period]").select_option("90d")
    filters.get_by_role("button", name="Apply").click()
    page.wait_for_url("**period=90d**")
    assert_charts_drawn(page)
    for url in page.locator("div.chart").evaluate_all("(charts) => charts.map((chart) => chart.dataset.chartUrl)"):
        assert "period=90d" in url
    screenshot(page, "dashboard-90-days")

    # The flows behind the chart, as CSV.
    with page.expect_download() as download_info:
        page.get_by_test_id("csv-flows").click()
    download = download_info.value
    assert download.suggested_filename.startswith("flows-")
    lines = Path(download.path()).read_text(encoding="utf-8-sig").splitlines()
    header = lines[0].split(",")
    assert header[0].endswith(" from")
    assert header[1:] == ["Money in", "Money out", "Net", "Transactions"]
    assert len(lines) > 1

    assert_no_browser_problems(browser_log)

    # Reconciliation left the client's payment for review with both invoices as candidates:
    # confirm the larger one.
    review = page.get_by_test_id("review-link")
    expect(review).to_contain_text("(1 to review)")
    review.click()
    row = page.get_by_test_id("match-row").filter(has_text="Atelier Lumière SRL")
    expect(row).to_have_count(1)
    row.get_by_role("link", name="Review").click()
    expect(page.get_by_test_id("confirm-match")).to_have_count(2)
    balance_before = Invoice.objects.get(pk=larger.pk).balance_due
    page.get_by_test_id("confirm-match").filter(has_text=f"Pay {larger.number}").click()
    expect(page.locator(".message-success")).to_contain_text(larger.number)
    assert Invoice.objects.get(pk=larger.pk).balance_due == balance_before - PAYMENT
    assert Invoice.objects.get(pk=smaller.pk).balance_due == smaller.balance_due

    assert_no_browser_problems(browser_log)


def test_custom_period_asks_for_dates_and_draws_the_empty_charts(
    page: Page, browser_log: BrowserLog, owner: User, password: str
):
    log_in(page, owner, password)
    page.goto(reverse("dashboards:overview"))
    assert_charts_drawn(page)
    filters = page.get_by_test_id("filters")
    start, end = filters.locator("input[name=start]"), filters.locator("input[name=end]")
    expect(start).to_be_hidden()

    filters.locator("select[name=period]").select_option("custom")
    expect(start).to_be_visible()
    start.fill("2026-01-01")
    end.fill("2026-03-31")
    filters.get_by_role("button", name="Apply").click()

    page.wait_for_url("**period=custom**")
    expect(page.get_by_text("1 Jan 2026 \N{EN DASH} 31 Mar 2026")).to_be_visible()
    assert_charts_drawn(page)
    assert_no_browser_problems(browser_log)
