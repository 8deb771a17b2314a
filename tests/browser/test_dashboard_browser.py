"""The cash-flow dashboard in a real browser: a new organisation's first steps; link Ponto, sync,
read the overview and the tabs' charts, export, reconcile; the overview on a laptop and a phone."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from banking.models import Bill
from core.models import Organization, User
from integrations.models import Connection, Provider, SyncRun, SyncStatus
from invoices.models import Client, Invoice
from invoices.references import make_reference
from invoices.services import save_client
from sandboxes.ponto import PontoSandbox
from sandboxes.ponto.banking import belgian_iban
from tests.browser.conftest import BrowserLog
from tests.factories import add_transactions, make_bank_account, make_connection, make_invoice, make_lines, make_match

pytestmark = pytest.mark.browser

CLIENT_IBAN = belgian_iban(363, 4455667)
PAYMENT = Decimal("400.00")  # pays neither open invoice exactly: reconciliation asks a person
CHARTS_SETTLED = (
    "() => [...document.querySelectorAll('[data-chart-url]')].every((chart) => chart.dataset.drawn)"
    " && [...document.querySelectorAll('[data-details-url]')].every((details) => details.dataset.loaded)"
)
LAPTOP_HEIGHT = 768
WIDTHS = {"desktop": 1366, "phone": 390}


def fits_the_screen(page: Page) -> bool:
    """No horizontal scrolling. (The same check as the connection pages' test, which imports
    this module's log_in, so it cannot be imported from there.)"""
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"))


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


def assert_charts_drawn(page: Page, charts_at_least: int = 1, *, tables: bool = True) -> None:
    """Every chart of the page drawn by plotly (or, with nothing to draw, its message), and with
    `tables` every chart's table loaded beside it."""
    page.wait_for_function(CHARTS_SETTLED)
    charts = page.locator("div.chart[data-chart-url]")
    assert charts.count() >= charts_at_least
    for chart in charts.all():
        name = chart.get_attribute("id")
        drawn = chart.get_attribute("data-drawn")
        assert drawn in ("true", "empty"), f"{name} was not drawn"
        if drawn == "true":
            assert chart.locator("svg.main-svg").count() >= 1, f"{name} has no plotly SVG"
        else:
            assert chart.locator(".chart-empty-text").inner_text(), f"{name} is empty without saying why"
    details = page.locator("div.chart-details[data-details-url]")
    assert details.count() == (charts.count() if tables else 0)
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

    # The overview: key figures, its two charts drawn by plotly under the CSP.
    page.goto(reverse("home"))
    expect(page.get_by_test_id("key-figures")).to_be_visible()
    assert_charts_drawn(page, 2, tables=False)
    screenshot(page, "dashboard-overview-after-sync")

    # The Flows tab: every chart and its table.
    page.get_by_test_id("dashboard-tabs").get_by_role("link", name="Flows").click()
    page.wait_for_url("**/dashboard/flows/")
    assert_charts_drawn(page, 4)
    screenshot(page, "dashboard-flows-12-months")

    # Another period: the filters go in the URL and every chart is drawn again for it.
    filters = page.get_by_test_id("filters")
    filters.locator("select[name=period]").select_option("90d")
    filters.get_by_role("button", name="Apply").click()
    page.wait_for_url("**period=90d**")
    assert_charts_drawn(page, 4)
    for url in page.locator("div.chart").evaluate_all("(charts) => charts.map((chart) => chart.dataset.chartUrl)"):
        assert "period=90d" in url
    # The other tabs keep the period.
    expect(page.get_by_test_id("dashboard-tabs").get_by_role("link", name="Cash")).to_have_attribute(
        "href", "/dashboard/cash/?period=90d"
    )
    screenshot(page, "dashboard-flows-90-days")

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

    # Reconciliation left the client's payment for review with both invoices as candidates: the
    # overview says so; confirm the larger one.
    page.goto(reverse("home"))
    review = page.get_by_test_id("attention").locator("[data-attention=reconcile] a")
    expect(review).to_have_text("1 payment to reconcile")
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
    page.goto(reverse("dashboards:flows"))
    assert_charts_drawn(page, 4)
    filters = page.get_by_test_id("filters")
    start, end = filters.locator("input[name=start]"), filters.locator("input[name=end]")
    expect(start).to_be_hidden()

    filters.locator("select[name=period]").select_option("custom")
    expect(start).to_be_visible()
    start.fill("2026-01-01")
    end.fill("2026-03-31")
    filters.get_by_role("button", name="Apply").click()

    page.wait_for_url("**period=custom**")
    expect(page.get_by_test_id("period-dates")).to_have_text("1 Jan 2026 \N{EN DASH} 31 Mar 2026")
    assert_charts_drawn(page, 4)
    expect(page.locator("#chart-flows")).to_contain_text("No bank transactions in this period.")
    assert_no_browser_problems(browser_log)


def test_a_new_organisation_first_sees_the_steps_to_take(
    page: Page,
    browser_log: BrowserLog,
    owner: User,
    password: str,
    screenshot: Callable[[Page, str], Path],
):
    log_in(page, owner, password)
    for label, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": LAPTOP_HEIGHT if label == "desktop" else 844})
        page.goto(reverse("home"))
        checklist = page.get_by_test_id("checklist")
        expect(checklist).to_contain_text("0 of 4 done")
        for name in ("Connect your bank through Ponto", "Link your Yuki administration", "Invite a colleague"):
            expect(checklist.get_by_role("link", name=name)).to_be_visible()
        expect(page.get_by_test_id("key-figures")).to_have_count(0)
        screenshot(page, f"dashboard-first-visit-{label}")
        assert fits_the_screen(page), f"the first steps are wider than the {label} screen"

    page.get_by_test_id("checklist").get_by_role("link", name="Create or import an invoice").click()
    page.wait_for_url("**/invoices/new/")
    assert_no_browser_problems(browser_log)


def books_of_a_running_business(organization: Organization) -> None:
    """A year of bank history on two accounts, open invoices (one overdue), an open bill, a
    payment to reconcile, and a connection whose consent ran out."""
    today = timezone.localdate()
    main = make_bank_account(organization, "48250.00", on=today, name="KBC Business")
    savings = make_bank_account(organization, "120000.00", on=today, name="Savings", connection=main.connection)
    rows = []
    for week in range(52):
        day = today - datetime.timedelta(days=7 * week)
        rows += [(day, f"{3200 + 40 * (week % 7)}.00"), (day, f"-{2600 + 55 * (week % 5)}.00")]
    add_transactions(main, *rows, counterpart_name="Brasserie Dupont")
    add_transactions(savings, (today - datetime.timedelta(days=40), "1500.00"))
    client = save_client(Client(name="Atelier Lumière SRL", payment_terms_days=30), organization=organization)
    make_invoice(
        organization, client, lines=make_lines(("12", "95.00", "21")), issue_date=today - datetime.timedelta(days=45)
    )
    make_invoice(organization, client, lines=make_lines(("30", "95.00", "21")), issue_date=today)
    Bill.objects.create(
        organization=organization,
        connection=make_connection(organization, provider=Provider.YUKI, display_name="Yuki"),
        external_id="bill-1",
        supplier="Drukkerij Peeters",
        due_date=today + datetime.timedelta(days=10),
        original_amount=Decimal("1850.00"),
        open_amount=Decimal("1850.00"),
    )
    make_match(organization)


def test_the_overview_fits_a_laptop_and_a_phone_and_a_tab_is_one_click_away(
    page: Page,
    browser_log: BrowserLog,
    organization: Organization,
    owner: User,
    password: str,
    screenshot: Callable[[Page, str], Path],
):
    books_of_a_running_business(organization)
    log_in(page, owner, password)

    page.set_viewport_size({"width": WIDTHS["desktop"], "height": LAPTOP_HEIGHT})
    page.goto(reverse("home"))
    assert_charts_drawn(page, 2, tables=False)
    expect(page.get_by_test_id("attention").locator("[data-attention=reconcile]")).to_be_visible()
    expect(page.get_by_test_id("attention").locator("[data-attention=overdue]")).to_be_visible()
    screenshot(page, "dashboard-overview-desktop")
    assert fits_the_screen(page)
    # Key figures, both charts and what needs attention are all on the first screen.
    for part in ("[data-testid=key-figures]", "#chart-balance", "#chart-forecast", "[data-testid=attention] h2"):
        bottom = page.locator(part).evaluate("(element) => element.getBoundingClientRect().bottom")
        assert bottom <= LAPTOP_HEIGHT, f"{part} ends at {bottom} px, below the first screen"

    page.set_viewport_size({"width": WIDTHS["phone"], "height": 844})
    page.goto(reverse("home"))
    assert_charts_drawn(page, 2, tables=False)
    screenshot(page, "dashboard-overview-phone")
    assert fits_the_screen(page), "the overview is wider than the phone"
    widths = page.locator(".overview-grid > section").evaluate_all("(cards) => cards.map((card) => card.offsetWidth)")
    assert len(set(widths)) == 1, f"the cards are not one column on a phone: {widths}"

    page.set_viewport_size({"width": WIDTHS["desktop"], "height": LAPTOP_HEIGHT})
    tabs = page.get_by_test_id("dashboard-tabs")
    tabs.get_by_role("link", name="Forecast").click()
    page.wait_for_url("**/dashboard/forecast/")
    expect(tabs.get_by_role("link", name="Forecast")).to_have_attribute("aria-current", "page")
    expect(tabs.get_by_role("link", name="Overview")).not_to_have_attribute("aria-current", "page")
    assert_charts_drawn(page, 1)
    screenshot(page, "dashboard-forecast-tab")
    assert_no_browser_problems(browser_log)
