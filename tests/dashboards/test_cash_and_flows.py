"""Cash position, daily balance, flows, counterparties, categories and KPIs against figures worked
out by hand on a small data set (today is 15 June 2026)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import plotly.graph_objects as go
import pytest

from banking import categories
from banking.models import CategoryRule
from dashboards.charts import CHARTS
from tests.dashboards.conftest import context_for
from tests.factories import add_transactions, make_bank_account, make_connection

pytestmark = pytest.mark.django_db

D = datetime.date
M = Decimal


@pytest.fixture
def bank(organization, other_organization, today):
    """Two EUR accounts and a USD one; another organisation's account must never count.

    Current account: 5,000.00 reported at the end of 14 June.
      1 Apr  +1,000.00 Client A (INV)      30 Apr  -2,000.00 Landlord (rent)
      2 May  +3,000.00 Client B            31 May  -2,000.00 Landlord (rent)
     14 Jun    -500.00 Telecom             15 Jun    +250.00 Client A (booked after the balance)
    Savings: 10,000.00 reported on 15 June, one movement: 10 May +100.00 interest.
    """
    CategoryRule.objects.create(
        organization=organization, position=0, category="Rent", field="counterpart_name", value="landlord"
    )
    current = make_bank_account(organization, "5000.00", on=D(2026, 6, 14), name="Current")
    add_transactions(current, (D(2026, 4, 1), "1000.00"), counterpart_name="Client A", remittance_information="INV-1")
    add_transactions(current, (D(2026, 4, 30), "-2000.00"), (D(2026, 5, 31), "-2000.00"), counterpart_name="Landlord")
    add_transactions(current, (D(2026, 5, 2), "3000.00"), counterpart_name="Client B")
    add_transactions(current, (D(2026, 6, 14), "-500.00"), counterpart_name="Telecom")
    add_transactions(current, (D(2026, 6, 15), "250.00"), counterpart_name="Client A")
    savings = make_bank_account(
        organization,
        "10000.00",
        on=D(2026, 6, 15),
        name="Savings",
        iban="BE71096123456769",
        connection=current.connection,
    )
    add_transactions(savings, (D(2026, 5, 10), "100.00"), counterpart_name="Bank interest")
    dollars = make_bank_account(organization, "700.00", on=D(2026, 6, 15), name="Dollars", currency="USD")
    add_transactions(dollars, (D(2026, 5, 10), "99.00"), counterpart_name="Client B")
    stranger = make_bank_account(
        other_organization, "999999.00", on=D(2026, 6, 15), connection=make_connection(other_organization)
    )
    add_transactions(stranger, (D(2026, 5, 10), "12345.00"), counterpart_name="Client B")
    categories.categorize_uncategorized(organization.pk)  # as the pipeline after a sync does
    return current, savings, dollars


APRIL_FIRST, JUNE_15 = D(2026, 4, 1), D(2026, 6, 15)


def compute(organization, name, start=APRIL_FIRST, end=JUNE_15, **kwargs):
    context = context_for(organization, start, end, **kwargs)
    data = CHARTS[name].compute(context)
    go.Figure(CHARTS[name].draw(data, context))  # a valid plotly figure, or this raises
    return data


def test_position_per_account_with_date_source_and_totals_per_currency(organization, bank):
    data = compute(organization, "position")
    rows = {row["account"].split()[0]: row for row in data.rows}
    assert {name: (row["balance"], row["balance_date"], row["currency"]) for name, row in rows.items()} == {
        "Current": (M("5000.00"), D(2026, 6, 14), "EUR"),
        "Savings": (M("10000.00"), D(2026, 6, 15), "EUR"),
        "Dollars": (M("700.00"), D(2026, 6, 15), "USD"),
    }
    assert rows["Current"]["source"] == "Ponto · Ponto · Test"
    assert data.summary["total"] == M("15000.00")
    assert data.summary["totals"] == {"EUR": M("15000.00"), "USD": M("700.00")}
    assert data.summary["oldest_balance_date"] == D(2026, 6, 14)


def test_daily_balance_is_rebuilt_backwards_and_forwards_from_the_reported_balance(organization, bank):
    data = compute(organization, "balance", start=D(2026, 3, 31))
    by_day = {row["day"]: row["balance"] for row in data.rows}
    # Current: 5,000 at the end of 14 Jun; 15 Jun +250 comes after it. Savings: 10,000 at the end of 15 Jun.
    assert by_day[D(2026, 6, 15)] == M("5250.00") + M("10000.00")
    assert by_day[D(2026, 6, 14)] == M("5000.00") + M("10000.00")
    assert by_day[D(2026, 6, 13)] == M("5500.00") + M("10000.00")
    assert by_day[D(2026, 5, 31)] == M("5500.00") + M("10000.00")
    assert by_day[D(2026, 5, 30)] == M("7500.00") + M("10000.00")
    assert by_day[D(2026, 5, 10)] == M("7500.00") + M("10000.00")
    assert by_day[D(2026, 5, 9)] == M("7500.00") + M("9900.00")
    assert by_day[D(2026, 5, 1)] == M("4500.00") + M("9900.00")
    assert by_day[D(2026, 4, 29)] == M("6500.00") + M("9900.00")
    assert by_day[D(2026, 3, 31)] == M("5500.00") + M("9900.00")
    assert len(data.rows) == 77
    assert data.summary["lowest"] == M("14400.00")
    assert data.summary["closing"] == M("15250.00")


def test_daily_balance_of_one_chosen_account_in_dollars(organization, bank):
    data = compute(organization, "balance", start=D(2026, 5, 9), end=D(2026, 5, 10), currency="USD")
    assert [(row["day"], row["balance"]) for row in data.rows] == [
        (D(2026, 5, 9), M("601.00")),
        (D(2026, 5, 10), M("700.00")),
    ]


def test_flows_per_month_week_and_day(organization, bank):
    monthly = compute(organization, "flows")
    assert [(r["period"], r["inflow"], r["outflow"], r["net"], r["count"]) for r in monthly.rows] == [
        (D(2026, 4, 1), M("1000.00"), M("2000.00"), M("-1000.00"), 2),
        (D(2026, 5, 1), M("3100.00"), M("2000.00"), M("1100.00"), 3),
        (D(2026, 6, 1), M("250.00"), M("500.00"), M("-250.00"), 2),
    ]
    assert (monthly.summary["inflow"], monthly.summary["outflow"], monthly.summary["net"]) == (
        M("4350.00"),
        M("4500.00"),
        M("-150.00"),
    )
    weekly = compute(organization, "flows", start=D(2026, 5, 1), end=D(2026, 5, 31), granularity="week")
    # Weeks start on Monday: 27 Apr (2 May), 4 May (10 May), 25 May (31 May).
    assert [(r["period"], r["net"]) for r in weekly.rows] == [
        (D(2026, 4, 27), M("3000.00")),
        (D(2026, 5, 4), M("100.00")),
        (D(2026, 5, 25), M("-2000.00")),
    ]
    daily = compute(organization, "flows", start=D(2026, 6, 14), end=D(2026, 6, 15), granularity="day")
    assert [(r["period"], r["net"]) for r in daily.rows] == [
        (D(2026, 6, 14), M("-500.00")),
        (D(2026, 6, 15), M("250.00")),
    ]


def test_top_counterparties_over_whole_and_partial_months(organization, bank):
    whole = compute(organization, "counterparties")
    assert [(r["direction"], r["counterparty"], r["amount"], r["count"]) for r in whole.rows] == [
        ("in", "Client B", M("3000.00"), 1),
        ("in", "Client A", M("1250.00"), 2),
        ("in", "Bank interest", M("100.00"), 1),
        ("out", "Landlord", M("4000.00"), 2),
        ("out", "Telecom", M("500.00"), 1),
    ]
    # 2 April to 31 May: April is partial (read from the transactions), May whole (from the rollups).
    partial = compute(organization, "counterparties", start=D(2026, 4, 2), end=D(2026, 5, 31))
    assert [(r["counterparty"], r["amount"]) for r in partial.rows] == [
        ("Client B", M("3000.00")),
        ("Bank interest", M("100.00")),
        ("Landlord", M("4000.00")),
    ]
    inside_a_month = compute(organization, "counterparties", start=D(2026, 5, 3), end=D(2026, 5, 30))
    assert [(r["counterparty"], r["amount"]) for r in inside_a_month.rows] == [("Bank interest", M("100.00"))]


def test_categories_of_the_period(organization, bank):
    data = compute(organization, "categories")
    assert [(r["category"], r["inflow"], r["outflow"], r["count"]) for r in data.rows] == [
        ("Uncategorised", M("4350.00"), M("500.00"), 5),
        ("Rent", M("0.00"), M("4000.00"), 2),
    ]


def test_kpis_this_month_against_last_burn_and_runway(organization, bank):
    data = compute(organization, "kpis")
    summary = data.summary
    assert (summary["cash_in_this_month"], summary["cash_out_this_month"]) == (M("250.00"), M("500.00"))
    assert (summary["cash_in_last_month"], summary["cash_out_last_month"]) == (M("3100.00"), M("2000.00"))
    # Six full months Dec..May: nets 0, 0, 0, 0, -1,000 (Apr), +1,100 (May): average +16.67, so no burn.
    assert summary["average_monthly_net"] == M("16.67")
    assert summary["monthly_net_burn"] == M("0.00")
    assert summary["runway_months"] is None
    assert summary["cash"] == M("15000.00")


def test_runway_is_cash_over_the_average_monthly_burn(organization, today):
    account = make_bank_account(organization, "3000.00", on=today)
    add_transactions(account, *[(D(2026, month, 5), "-1200.00") for month in range(1, 6)], counterpart_name="Payroll")
    add_transactions(account, (D(2025, 12, 5), "600.00"), counterpart_name="Client")
    summary = compute(organization, "kpis").summary
    # Dec..May: +600, then -1,200 five times: net -5,400 over 6 months = -900 a month.
    assert summary["monthly_net_burn"] == M("900.00")
    assert summary["runway_months"] == M("3.3")


def test_no_accounts_gives_empty_figures_not_errors(organization, today):
    for name in ("position", "balance", "flows", "counterparties", "categories", "kpis"):
        data = compute(organization, name)
        assert data.name == name
    assert compute(organization, "position").summary["total"] == M("0.00")
