"""Receivables and payables aging: every figure against a small data set computed by hand."""

from __future__ import annotations

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import plotly.graph_objects as go
import pytest
import time_machine

from banking.models import Bill
from core.models import Organization
from dashboards.charts import CHARTS, Context, chart_json, figure_of
from dashboards.figures.receivables import OTHER_CLIENTS, OTHER_SUPPLIERS, TOP_PARTIES
from dashboards.filters import Filters
from integrations.models import Connection, Provider
from invoices import services
from invoices.models import Client, Invoice, InvoiceStatus
from tests.factories import make_client, make_connection, make_invoice, make_lines, pay

D = Decimal
TODAY = datetime.date(2026, 6, 15)
NOON = datetime.datetime(2026, 6, 15, 12, 0, tzinfo=ZoneInfo("Europe/Brussels"))


def days_ago(days: int) -> datetime.date:
    return TODAY - datetime.timedelta(days=days)


def context_for(organization: Organization, currency: str = "EUR") -> Context:
    filters = Filters(start=days_ago(364), end=TODAY, currency=currency)
    return Context(organization_id=organization.pk, version=1, filters=filters, accounts=(), today=TODAY)


def invoice(organization: Organization, client: Client, amount: str, issued: int, due: int, **fields) -> Invoice:
    """An invoice of `amount` without VAT, issued and due so many days before today (negative: after)."""
    return make_invoice(
        organization,
        client,
        lines=make_lines(("1", amount, "0")),
        issue_date=days_ago(issued),
        due_date=days_ago(due),
        **fields,
    )


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOON, tick=False):
        yield


@pytest.fixture
def receivables(organization: Organization, other_organization: Organization) -> dict[str, Client]:
    """Alpha and Beta owe, by bucket (due T-x: x days past due):

    Alpha: 100 due today (current), 200 due T-1 and 300 - 120 paid due T-30 (1-30),
           400 due T-60 (31-60), 500 due T-91 (over 90, marked overdue)      = 1380 in 5
    Beta:  1000 + 21 % VAT due T-25 after today (current), 50 due T-31 (31-60),
           70 due T-61 and 80 due T-90 (61-90)                               = 1410 in 4
    """
    alpha = make_client(organization, name="Alpha")
    beta = make_client(organization, name="Beta")
    invoice(organization, alpha, "100.00", issued=10, due=0)
    invoice(organization, alpha, "200.00", issued=45, due=1)
    pay(invoice(organization, alpha, "300.00", issued=75, due=30), "120.00", on=days_ago(5))
    invoice(organization, alpha, "400.00", issued=106, due=60)
    late = invoice(organization, alpha, "500.00", issued=156, due=91)
    Invoice.objects.filter(pk=late.pk).update(status=InvoiceStatus.OVERDUE)
    make_invoice(
        organization, beta, lines=make_lines(("1", "1000.00", "21")), issue_date=days_ago(5), due_date=days_ago(-25)
    )
    invoice(organization, beta, "50.00", issued=75, due=31)
    invoice(organization, beta, "70.00", issued=89, due=61)  # the first day of the 90 days of sales
    invoice(organization, beta, "80.00", issued=90, due=90)  # the day before them
    # None of these is owed: paid (but a sale), a draft, cancelled, deleted, in dollars, elsewhere.
    paid = invoice(organization, alpha, "999.00", issued=20, due=10)
    pay(paid, "999.00", on=days_ago(12))
    invoice(organization, beta, "888.00", issued=3, due=-27, sent=False)
    services.cancel_invoice(invoice(organization, alpha, "777.00", issued=3, due=1))
    services.soft_delete(invoice(organization, beta, "666.00", issued=2, due=1))
    invoice(organization, alpha, "555.00", issued=7, due=1, currency="USD")
    invoice(other_organization, make_client(other_organization, name="Alpha"), "444.00", issued=7, due=1)
    return {"alpha": alpha, "beta": beta}


def bill(organization: Organization, connection: Connection, supplier: str, amount: str, due: int | None, **fields):
    return Bill.objects.create(
        organization=organization,
        connection=connection,
        external_id=f"{supplier}-{Bill.objects.count()}",
        supplier=supplier,
        due_date=None if due is None else days_ago(due),
        open_amount=D(amount),
        original_amount=D(fields.pop("original", amount)),
        currency=fields.pop("currency", "EUR"),
        **fields,
    )


@pytest.fixture
def payables(organization: Organization, other_organization: Organization) -> None:
    """X: 100 due today, 250 of 300 due T-45 = 350; Y: 40 due T-100, 60 without due date = 100; Z: 10 due T-5."""
    yuki = make_connection(organization, provider=Provider.YUKI)
    bill(organization, yuki, "Supplier X", "100.00", due=0)
    bill(organization, yuki, "Supplier X", "250.00", due=45, original="300.00")
    bill(organization, yuki, "Supplier Y", "40.00", due=100)
    bill(organization, yuki, "Supplier Y", "60.00", due=None)
    bill(organization, yuki, "Supplier Z", "10.00", due=5)
    # Not owed: settled, nothing left open, in dollars, another organisation's.
    bill(organization, yuki, "Supplier Z", "500.00", due=20, settled_on=days_ago(1))
    bill(organization, yuki, "Supplier Z", "0.00", due=20, original="75.00")
    bill(organization, yuki, "Supplier X", "30.00", due=20, currency="USD")
    theirs = make_connection(other_organization, provider=Provider.YUKI)
    bill(other_organization, theirs, "Supplier X", "700.00", due=20)


@pytest.mark.django_db
def test_aging_buckets_per_client(organization: Organization, receivables: dict[str, Client]):
    data = CHARTS["aging"].compute(context_for(organization))

    alpha, beta = receivables["alpha"], receivables["beta"]
    assert data.rows == [
        {
            "client_id": beta.pk,
            "client": "Beta",
            "current": D("1210.00"),
            "1_30": D("0.00"),
            "31_60": D("50.00"),
            "61_90": D("150.00"),
            "over_90": D("0.00"),
            "total": D("1410.00"),
            "count": 4,
        },
        {
            "client_id": alpha.pk,
            "client": "Alpha",
            "current": D("100.00"),
            "1_30": D("380.00"),
            "31_60": D("400.00"),
            "61_90": D("0.00"),
            "over_90": D("500.00"),
            "total": D("1380.00"),
            "count": 5,
        },
    ]
    assert [column.key for column in data.columns] == [
        "client",
        "current",
        "1_30",
        "31_60",
        "61_90",
        "over_90",
        "total",
        "count",
    ]


@pytest.mark.django_db
def test_aging_totals_overdue_and_dso(organization: Organization, receivables: dict[str, Client]):
    summary = CHARTS["aging"].compute(context_for(organization)).summary

    assert summary["buckets"] == {
        "current": D("1310.00"),
        "1_30": D("380.00"),
        "31_60": D("450.00"),
        "61_90": D("150.00"),
        "over_90": D("500.00"),
    }
    assert summary["bucket_counts"] == {"current": 2, "1_30": 2, "31_60": 2, "61_90": 2, "over_90": 1}
    assert summary["total"] == D("2790.00") and summary["count"] == 9
    assert summary["overdue_total"] == D("1480.00") and summary["overdue_count"] == 7
    assert summary["clients"] == 2
    # Issued in the last 90 days: 100 + 200 + 300 + 1210 + 50 + 70 + 999 (paid, still a sale).
    assert summary["sales_last_90_days"] == D("2929.00")
    assert summary["dso_days"] == D("85.7")  # 2790 / 2929 x 90 = 85.73
    assert summary["currency"] == "EUR" and summary["as_of"] == TODAY


@pytest.mark.django_db
def test_aging_in_another_currency_counts_only_that_currency(
    organization: Organization, receivables: dict[str, Client]
):
    data = CHARTS["aging"].compute(context_for(organization, "USD"))

    assert [(row["client"], row["1_30"], row["count"]) for row in data.rows] == [("Alpha", D("555.00"), 1)]
    assert data.summary["total"] == D("555.00") and data.summary["overdue_count"] == 1
    assert data.summary["dso_days"] == D("90.0")


@pytest.mark.django_db
def test_aging_without_sales_has_no_dso(organization: Organization):
    old = invoice(organization, make_client(organization), "40.00", issued=200, due=170)

    summary = CHARTS["aging"].compute(context_for(organization)).summary

    assert summary["buckets"]["over_90"] == D("40.00") == old.balance_due
    assert summary["sales_last_90_days"] == D("0.00")
    assert summary["dso_days"] is None


@pytest.mark.django_db
def test_aging_counts_only_the_organisations_own_invoices(
    other_organization: Organization, receivables: dict[str, Client]
):
    summary = CHARTS["aging"].compute(context_for(other_organization)).summary

    assert summary["total"] == D("444.00") and summary["clients"] == 1


@pytest.mark.django_db
def test_aging_shows_the_top_clients_then_the_others(organization: Organization):
    for n in range(TOP_PARTIES + 2):  # client n owes 10 x (n + 1), the first two the least
        invoice(organization, make_client(organization, name=f"Client {n:02}"), f"{10 * (n + 1)}.00", 5, 0)
    invoice(organization, Client.objects.get(name="Client 00"), "5.00", issued=40, due=35)

    data = CHARTS["aging"].compute(context_for(organization))

    assert len(data.rows) == TOP_PARTIES + 1
    assert data.rows[0]["client"] == "Client 21" and data.rows[0]["total"] == D("220.00")
    assert data.rows[-2]["client"] == "Client 02"
    assert data.rows[-1] == {
        "client_id": None,
        "client": OTHER_CLIENTS,
        "current": D("30.00"),
        "1_30": D("0.00"),
        "31_60": D("5.00"),
        "61_90": D("0.00"),
        "over_90": D("0.00"),
        "total": D("35.00"),
        "count": 3,
    }
    assert sum(row["total"] for row in data.rows) == data.summary["total"] == D("2535.00")


@pytest.mark.django_db
def test_payables_buckets_per_supplier(organization: Organization, payables: None):
    data = CHARTS["payables"].compute(context_for(organization))

    assert data.rows == [
        {
            "supplier": "Supplier X",
            "current": D("100.00"),
            "1_30": D("0.00"),
            "31_60": D("250.00"),
            "61_90": D("0.00"),
            "over_90": D("0.00"),
            "total": D("350.00"),
            "count": 2,
        },
        {
            "supplier": "Supplier Y",
            "current": D("60.00"),
            "1_30": D("0.00"),
            "31_60": D("0.00"),
            "61_90": D("0.00"),
            "over_90": D("40.00"),
            "total": D("100.00"),
            "count": 2,
        },
        {
            "supplier": "Supplier Z",
            "current": D("0.00"),
            "1_30": D("10.00"),
            "31_60": D("0.00"),
            "61_90": D("0.00"),
            "over_90": D("0.00"),
            "total": D("10.00"),
            "count": 1,
        },
    ]
    summary = data.summary
    assert summary["buckets"] == {
        "current": D("160.00"),
        "1_30": D("10.00"),
        "31_60": D("250.00"),
        "61_90": D("0.00"),
        "over_90": D("40.00"),
    }
    assert summary["total"] == D("460.00") and summary["count"] == 5
    assert summary["overdue_total"] == D("300.00") and summary["overdue_count"] == 3  # no due date: not overdue
    assert summary["suppliers"] == 3


@pytest.mark.django_db
def test_payables_show_the_top_suppliers_then_the_others(organization: Organization):
    yuki = make_connection(organization, provider=Provider.YUKI)
    for n in range(TOP_PARTIES + 3):
        bill(organization, yuki, f"Supplier {n:02}", f"{n + 1}.00", due=n * 5)

    data = CHARTS["payables"].compute(context_for(organization))

    assert len(data.rows) == TOP_PARTIES + 1
    assert data.rows[0]["supplier"] == "Supplier 22"
    other = data.rows[-1]
    assert other["supplier"] == OTHER_SUPPLIERS
    assert (other["total"], other["count"], other["current"], other["1_30"]) == (D("6.00"), 3, D("1.00"), D("5.00"))


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["aging", "payables"])
def test_figures_are_valid_plotly(organization: Organization, receivables: dict[str, Client], payables: None, name):
    context = context_for(organization)
    chart = CHARTS[name]

    drawn = chart.draw(chart.compute(context), context)
    go.Figure(drawn)
    figure = figure_of(chart_json(context, name))
    go.Figure(figure)

    assert figure["data"][0]["x"] == ["Not yet due", "1-30 days", "31-60 days", "61-90 days", "Over 90 days"]
    expected = {"aging": [1310, 380, 450, 150, 500], "payables": [160, 10, 250, 0, 40]}[name]
    assert [float(y) for y in figure["data"][0]["y"]] == expected


@pytest.mark.django_db
def test_compute_takes_the_same_few_queries_whatever_the_number_of_rows(
    organization: Organization, django_assert_max_num_queries
):
    yuki = make_connection(organization, provider=Provider.YUKI)
    clients = [make_client(organization, name=f"Client {n}") for n in range(TOP_PARTIES + 5)]
    for n in range(60):
        invoice(organization, clients[n % len(clients)], "10.00", issued=n * 3, due=n * 2)
        bill(organization, yuki, f"Supplier {n % 25}", "10.00", due=n * 2)
    context = context_for(organization)

    with django_assert_max_num_queries(2):
        aging = CHARTS["aging"].compute(context)
    with django_assert_max_num_queries(2):
        payables = CHARTS["payables"].compute(context)

    assert aging.summary["count"] == payables.summary["count"] == 60
    assert len(aging.rows) == len(payables.rows) == TOP_PARTIES + 1
