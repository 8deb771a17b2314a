"""The 13-week forecast, checked day by day against a small hand-computed data set, and its threshold."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import plotly.graph_objects as go  # type: ignore[import-untyped,unused-ignore]
import pytest
import time_machine
from django.contrib.messages import get_messages

from banking import recurring
from banking.models import BankAccount, Bill, RecurringFlow
from core.models import AuditEvent, Organization, Role
from dashboards.charts import CHARTS, ChartData, Context
from dashboards.figures import forecast
from dashboards.filters import Filters
from dashboards.models import DashboardState
from integrations.models import Connection, Provider
from invoices import services as invoice_services
from invoices.models import Client
from tests.factories import (
    add_transactions,
    make_bank_account,
    make_client,
    make_connection,
    make_invoice,
    make_lines,
    member,
    pay,
)
from tests.helpers import logged_in_client

TODAY = datetime.date(2026, 4, 15)  # a Wednesday; the forecast runs from Thursday 16 April to 15 July

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today() -> object:
    with time_machine.travel(datetime.datetime(2026, 4, 15, 10, 0, tzinfo=datetime.UTC), tick=False) as traveller:
        yield traveller


def d(month: int, day: int, year: int = 2026) -> datetime.date:
    return datetime.date(year, month, day)


def context_of(organization: Organization, currency: str = "EUR", version: int = 1) -> Context:
    return Context(
        organization_id=organization.pk,
        version=version,
        filters=Filters(start=d(1, 1), end=TODAY, currency=currency),
        accounts=tuple(BankAccount.objects.filter(organization=organization)),
        today=TODAY,
    )


def yuki(organization: Organization) -> Connection:
    return make_connection(organization, provider=Provider.YUKI, display_name="Yuki")


def add_bill(organization: Organization, amount: str, due: datetime.date | None, **fields: Any) -> Bill:
    return Bill.objects.create(
        organization=organization,
        connection=fields.pop("connection", None) or yuki(organization),
        external_id=f"bill-{Bill.objects.count()}",
        supplier="Office Supplies NV",
        due_date=due,
        original_amount=Decimal(amount),
        open_amount=Decimal(amount),
        **fields,
    )


@pytest.fixture
def scenario(organization: Organization) -> Organization:
    """Balance 6,000 today; threshold 2,000.

    Receivables: 1,210 due 25 April from a client who pays 5 days late on average (+3 and +7), so
    expected 30 April; 500 from another client, long overdue, so expected tomorrow.
    Bills: 3,000 due 5 May; 200 past due, so tomorrow; a settled one and a USD one, ignored.
    Recurring (found in the bank history): salaries of 2,500 on the 25th, a sublet paying 800 on
    the 1st, a subscription of 50 every Thursday.
    """
    account = make_bank_account(organization, "6000.00", on=TODAY)
    DashboardState.objects.create(organization=organization, cash_threshold=Decimal("2000.00"))

    late_payer = make_client(organization, name="Brasserie Dupont", payment_terms_days=30)
    first = make_invoice(organization, late_payer, lines=make_lines(("1", "121.00", "0")), issue_date=d(1, 5))
    pay(first, "121.00", on=d(2, 7))  # due 4 February: 3 days late
    second = make_invoice(organization, late_payer, lines=make_lines(("1", "242.00", "0")), issue_date=d(2, 2))
    pay(second, "100.00", on=d(3, 1))
    pay(second, "142.00", on=d(3, 11))  # due 4 March, paid up on 11 March: 7 days late
    make_invoice(organization, late_payer, lines=make_lines(("10", "100.00", "21")), issue_date=d(3, 26))
    make_invoice(
        organization,
        make_client(organization, name="Café Noir"),
        lines=make_lines(("5", "100.00", "0")),
        issue_date=d(1, 10),
    )
    make_invoice(organization, late_payer, lines=make_lines(("1", "999.00", "0")), issue_date=d(3, 26), currency="USD")

    connection = yuki(organization)
    add_bill(organization, "3000.00", d(5, 5), connection=connection)
    add_bill(organization, "200.00", d(4, 1), connection=connection)
    add_bill(organization, "700.00", d(5, 1), connection=connection, settled_on=d(4, 10))
    add_bill(organization, "900.00", d(5, 1), connection=connection, currency="USD")

    add_transactions(
        account,
        *[(d(m, 25, y), "-2500.00") for y, m in ((2025, 12), (2026, 1), (2026, 2), (2026, 3))],
        counterpart_name="Payroll Services",
    )
    add_transactions(account, *[(d(m, 1), "800.00") for m in (1, 2, 3, 4)], counterpart_name="Sublet BV")
    add_transactions(
        account, *[(day, "-50.00") for day in (d(3, 19), d(3, 26), d(4, 2), d(4, 9))], counterpart_name="CloudCo"
    )
    assert recurring.detect(organization.pk) == 3
    return organization


WEEKLY_KEYS = ("receivables_in", "recurring_in", "bills_out", "recurring_out", "net", "closing")


def weekly(data: ChartData) -> list[tuple[datetime.date, str, str, str, str, str, str]]:
    return [(row["week"], *(str(row[key]) for key in WEEKLY_KEYS)) for row in data.rows]


def test_weekly_rows_are_the_hand_computed_ones(scenario):
    data = CHARTS["forecast"].compute(context_of(scenario))

    assert weekly(data) == [
        (d(4, 16), "500.00", "0.00", "200.00", "50.00", "250.00", "6250.00"),
        (d(4, 23), "0.00", "0.00", "0.00", "2550.00", "-2550.00", "3700.00"),
        (d(4, 30), "1210.00", "800.00", "3000.00", "50.00", "-1040.00", "2660.00"),
        (d(5, 7), "0.00", "0.00", "0.00", "50.00", "-50.00", "2610.00"),
        (d(5, 14), "0.00", "0.00", "0.00", "50.00", "-50.00", "2560.00"),
        (d(5, 21), "0.00", "0.00", "0.00", "2550.00", "-2550.00", "10.00"),
        (d(5, 28), "0.00", "800.00", "0.00", "50.00", "750.00", "760.00"),
        (d(6, 4), "0.00", "0.00", "0.00", "50.00", "-50.00", "710.00"),
        (d(6, 11), "0.00", "0.00", "0.00", "50.00", "-50.00", "660.00"),
        (d(6, 18), "0.00", "0.00", "0.00", "50.00", "-50.00", "610.00"),
        (d(6, 25), "0.00", "800.00", "0.00", "2550.00", "-1750.00", "-1140.00"),
        (d(7, 2), "0.00", "0.00", "0.00", "50.00", "-50.00", "-1190.00"),
        (d(7, 9), "0.00", "0.00", "0.00", "50.00", "-50.00", "-1240.00"),
    ]
    assert data.rows[-1]["week_end"] == d(7, 15)


def test_summary_has_the_lowest_point_and_the_shortfall_dates(scenario):
    summary = CHARTS["forecast"].compute(context_of(scenario)).summary

    assert summary["opening_balance"] == Decimal("6000.00")
    assert summary["closing_balance"] == Decimal("-1240.00")
    assert (summary["lowest_balance"], summary["lowest_date"]) == (Decimal("-1940.00"), d(6, 25))
    assert summary["threshold"] == Decimal("2000.00")
    assert summary["first_below_threshold"] == d(5, 25)  # the May salary leaves 10.00
    assert summary["first_below_zero"] == d(5, 28)  # the subscription takes it to -40.00
    assert (summary["receivables_in"], summary["recurring_in"]) == (Decimal("1710.00"), Decimal("2400.00"))
    assert (summary["bills_out"], summary["recurring_out"]) == (Decimal("3200.00"), Decimal("8150.00"))
    series = dict(summary["series"])
    assert len(series) == 92  # today and the 91 days after it
    assert (series[TODAY], series[d(4, 16)], series[d(4, 29)], series[d(4, 30)]) == (
        Decimal("6000.00"),
        Decimal("6250.00"),
        Decimal("3700.00"),
        Decimal("4860.00"),
    )
    assert (series[d(5, 24)], series[d(5, 25)], series[d(5, 28)]) == (
        Decimal("2510.00"),
        Decimal("10.00"),
        Decimal("-40.00"),
    )


def test_client_delay_is_the_mean_of_last_payment_minus_due_date(scenario):
    # Dupont paid 3 and 7 days late: its open invoice, due 25 April, is expected 5 days later.
    # Café Noir has no history: its invoice, overdue since February, is expected tomorrow.
    expected = forecast.expected_receivables(scenario.pk, "EUR", TODAY + datetime.timedelta(days=1))

    assert expected == {d(4, 30): Decimal("1210.00"), d(4, 16): Decimal("500.00")}


def test_a_half_day_mean_delay_rounds_away_from_zero_and_old_payments_are_forgotten(organization):
    def paid(client: Client, issued: datetime.date, days_late: int) -> None:
        invoice = make_invoice(organization, client, lines=make_lines(("1", "10.00", "0")), issue_date=issued)
        pay(invoice, "10.00", on=invoice.due_date + datetime.timedelta(days=days_late))

    late, early = make_client(organization, name="Late"), make_client(organization, name="Early")
    for client, delays in ((late, (2, 3)), (early, (-2, -3))):
        for month, days_late in zip((1, 2), delays, strict=True):
            paid(client, d(month, 10), days_late)
        paid(client, d(12, 1, year=2024), 90)  # paid on 31 March 2025, over a year ago: not counted
        make_invoice(organization, client, lines=make_lines(("1", "50.00", "0")), issue_date=d(4, 1))
    due = d(4, 1) + datetime.timedelta(days=late.payment_terms_days)

    expected = forecast.expected_receivables(organization.pk, "EUR", TODAY + datetime.timedelta(days=1))

    assert expected == {
        due + datetime.timedelta(days=3): Decimal("50.00"),
        due - datetime.timedelta(days=3): Decimal("50.00"),
    }


def test_deleted_invoices_and_other_currencies_stay_out_of_the_receivables(organization):
    client = make_client(organization, name="Mixed Currencies")
    dollars = make_invoice(
        organization, client, lines=make_lines(("1", "10.00", "0")), issue_date=d(1, 10), currency="USD"
    )
    pay(dollars, "10.00", on=dollars.due_date + datetime.timedelta(days=40))  # says nothing of paying in euros
    make_invoice(organization, client, lines=make_lines(("1", "90.00", "0")), issue_date=d(4, 1), currency="USD")
    deleted = make_invoice(organization, client, lines=make_lines(("1", "70.00", "0")), issue_date=d(4, 1))
    invoice_services.soft_delete(deleted)
    kept = make_invoice(organization, client, lines=make_lines(("1", "30.00", "0")), issue_date=d(4, 1))

    expected = forecast.expected_receivables(organization.pk, "EUR", TODAY + datetime.timedelta(days=1))

    assert expected == {kept.due_date: Decimal("30.00")}


def test_an_early_payer_is_expected_before_the_due_date(organization):
    make_bank_account(organization, "0.00", on=TODAY)
    early = make_client(organization, name="Early Bird", payment_terms_days=30)
    paid = make_invoice(organization, early, lines=make_lines(("1", "100.00", "0")), issue_date=d(1, 5))
    pay(paid, "100.00", on=d(1, 30))  # due 4 February: 5 days early
    make_invoice(organization, early, lines=make_lines(("1", "300.00", "0")), issue_date=d(4, 10))  # due 10 May

    data = CHARTS["forecast"].compute(context_of(organization))

    assert dict(data.summary["series"])[d(5, 4)] == Decimal("0.00")
    assert dict(data.summary["series"])[d(5, 5)] == Decimal("300.00")


def test_nothing_to_forecast_stays_flat_at_the_balance(organization):
    make_bank_account(organization, "150.00", on=TODAY)

    summary = CHARTS["forecast"].compute(context_of(organization)).summary

    assert summary["closing_balance"] == summary["lowest_balance"] == Decimal("150.00")
    assert summary["lowest_date"] == TODAY
    assert summary["first_below_zero"] is None and summary["first_below_threshold"] is None


def test_a_balance_already_below_the_threshold_is_flagged_today(organization):
    make_bank_account(organization, "-10.00", on=TODAY)

    summary = CHARTS["forecast"].compute(context_of(organization)).summary

    assert summary["first_below_zero"] == summary["first_below_threshold"] == TODAY


def test_other_currencies_are_left_out(scenario):
    make_bank_account(scenario, "5000.00", on=TODAY, currency="USD", iban="US00000000000000001")

    summary = CHARTS["forecast"].compute(context_of(scenario, "USD")).summary

    assert summary["opening_balance"] == Decimal("5000.00")
    assert summary["receivables_in"] == Decimal("999.00")
    assert summary["bills_out"] == Decimal("900.00")
    assert summary["recurring_in"] == summary["recurring_out"] == Decimal("0.00")


def test_figure_is_valid_plotly_with_threshold_and_shortfall(scenario):
    context = context_of(scenario)
    data = CHARTS["forecast"].compute(context)

    figure = CHARTS["forecast"].draw(data, context)

    go.Figure(figure)
    names = [trace["name"] for trace in figure["data"]]
    assert names == [
        "Money in per week",
        "Money out per week",
        "Projected balance",
        "Below zero from 28/05/2026",
        "Below threshold from 25/05/2026",
    ]
    assert figure["layout"]["shapes"][0]["y0"] == Decimal("2000.00")
    assert figure["layout"]["shapes"][0]["line"]["dash"] == "dot"
    assert figure["data"][3]["x"] == [d(5, 28)] and figure["data"][4]["x"] == [d(5, 25)]
    assert data.as_json()["summary"]["first_below_zero"] == "2026-05-28"


def test_figure_without_shortfall_has_no_markers(organization):
    make_bank_account(organization, "150.00", on=TODAY)
    context = context_of(organization)

    figure = CHARTS["forecast"].draw(CHARTS["forecast"].compute(context), context)

    go.Figure(figure)
    assert [trace["name"] for trace in figure["data"]] == [
        "Money in per week",
        "Money out per week",
        "Projected balance",
    ]


def test_queries_do_not_grow_with_the_data(scenario, django_assert_max_num_queries):
    context = context_of(scenario)
    with django_assert_max_num_queries(6):
        CHARTS["forecast"].compute(context)
    client = Client.objects.get(organization=scenario, name="Café Noir")
    for n in range(30):
        invoice = make_invoice(scenario, client, lines=make_lines(("1", "10.00", "0")), issue_date=d(1, 1 + n % 28))
        if n % 2:
            pay(invoice, "10.00", on=d(2, 1 + n % 28))
        add_bill(scenario, "5.00", d(5, 1 + n % 28))
    for n in range(30):
        RecurringFlow.objects.create(
            organization=scenario,
            counterparty=f"Vendor {n}",
            currency="EUR",
            amount=Decimal("-1.00"),
            interval_days=7,
            occurrences=4,
            last_date=d(4, 10),
            next_date=d(4, 17),
        )
    context = context_of(scenario, version=2)  # the writes moved the data version on

    with django_assert_max_num_queries(6):
        data = CHARTS["forecast"].compute(context)

    assert data.summary["bills_out"] == Decimal("3350.00")  # the new bills are in


# --- the threshold -------------------------------------------------------------------------

THRESHOLD_URL = "/dashboard/forecast/threshold/"


def test_threshold_is_saved_audited_and_bumps_the_version(
    organization, owner_client, django_capture_on_commit_callbacks
):
    DashboardState.objects.create(organization=organization, cash_threshold=Decimal("1000.00"), data_version=4)

    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(THRESHOLD_URL, {"cash_threshold": "2500.50", "next": "/dashboard/?period=90d"})

    assert response.status_code == 302 and response["Location"] == "/dashboard/?period=90d"
    state = DashboardState.objects.get(organization=organization)
    assert state.cash_threshold == Decimal("2500.50")
    assert state.data_version == 5
    event = AuditEvent.objects.get(organization=organization, action="dashboard.threshold_changed")
    assert event.changes == {"before": {"cash_threshold": "1000.00"}, "after": {"cash_threshold": "2500.50"}}


@pytest.mark.parametrize("value", ["abc", "", "1e400", "NaN", "5000000000", "12.345"])
def test_threshold_rejects_what_is_not_a_sensible_amount(organization, owner_client, value):
    response = owner_client.post(THRESHOLD_URL, {"cash_threshold": value})

    assert response.status_code == 302 and response["Location"] == "/dashboard/forecast/"
    assert next(str(m) for m in get_messages(response.wsgi_request)).startswith("The threshold was not saved:")
    assert not DashboardState.objects.filter(organization=organization).exclude(cash_threshold=0).exists()
    assert not AuditEvent.objects.filter(action="dashboard.threshold_changed").exists()


def test_threshold_ignores_a_foreign_next(organization, owner_client):
    response = owner_client.post(THRESHOLD_URL, {"cash_threshold": "10", "next": "https://evil.example/dashboard/"})

    assert response["Location"] == "/dashboard/forecast/"


def test_a_viewer_cannot_set_the_threshold(organization):
    viewer = logged_in_client(member(organization, Role.VIEWER))

    response = viewer.post(THRESHOLD_URL, {"cash_threshold": "10"})

    assert response.status_code == 403
    assert not DashboardState.objects.filter(organization=organization, cash_threshold=10).exists()


def test_finance_can_set_the_threshold_but_not_read_it_with_get(organization):
    finance = logged_in_client(member(organization, Role.FINANCE))

    assert finance.post(THRESHOLD_URL, {"cash_threshold": "-500"}).status_code == 302
    assert DashboardState.objects.get(organization=organization).cash_threshold == Decimal("-500.00")
    assert finance.get(THRESHOLD_URL).status_code == 405
