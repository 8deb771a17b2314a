"""The dashboard's tabs, the chart JSON and CSV, filters in the URL, caching and tenancy (the
overview has its own tests in test_overview.py)."""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from banking import reconciliation
from banking import services as banking_services
from banking.models import CategoryRule
from core.formatting import format_money
from core.memory import memory
from core.models import Role
from dashboards.charts import CHARTS
from dashboards.state import cache_key, state_for
from dashboards.views.pages import PAGE_CHARTS, TABS
from invoices import services
from tests.factories import (
    add_transactions,
    make_bank_account,
    make_client,
    make_connection,
    make_invoice,
    make_match,
    member,
    pay,
)
from tests.helpers import logged_in_client

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def account(organization, django_capture_on_commit_callbacks):
    # Committed, as in production: a version bump still pending would absorb a test's own bumps.
    with django_capture_on_commit_callbacks(execute=True):
        account = make_bank_account(organization, "1000.00", on=datetime.date.today())
        add_transactions(account, (datetime.date.today(), "250.00"), counterpart_name="Client A")
    return account


def chart(client, name, query=""):
    response = client.get(reverse("dashboards:chart_json", args=[name]) + query)
    assert response.status_code == 200, response.content
    return json.loads(response.content)


def version(organization) -> int:
    return state_for(organization.pk).data_version


def details(client, name, query=""):
    response = client.get(reverse("dashboards:chart_details", args=[name]) + query)
    assert response.status_code == 200, response.content
    return response.content.decode()


def tab_url(name: str) -> str:
    return reverse(f"dashboards:{name}")


def test_each_tab_has_a_section_per_chart_with_its_links(owner_client, account):
    seen: list[str] = []
    for tab in TABS[1:]:
        response = owner_client.get(tab_url(tab.name) + "?period=90d&group=week")
        assert response.status_code == 200
        html = response.content.decode()
        for name in tab.charts:
            assert f'id="chart-{name}"' in html
            assert f'data-chart-url="/dashboard/charts/{name}.json?period=90d' in html
            assert f'data-details-url="/dashboard/charts/{name}.html?period=90d' in html
            assert f"/dashboard/charts/{name}.csv?period=90d" in html
        assert "Client A" not in html  # the tables come with their sections
        # The tabs keep the filters that differ from the defaults, and mark the page shown.
        assert f'<a href="{tab_url(tab.name)}?period=90d&amp;group=week" aria-current="page">' in html
        assert f'<a href="{tab_url("overview")}?period=90d&amp;group=week">' in html
        seen += tab.charts
    assert sorted(seen) == sorted(CHARTS)


def test_each_section_has_its_table_and_the_forecast_its_summary(owner_client, account):
    assert "Client A" in details(owner_client, "counterparties", "?period=30d")
    assert "1,000.00" in details(owner_client, "position")
    forecast = details(owner_client, "forecast")
    assert "Projected balance in 13 weeks" in forecast and "<table" in forecast
    assert "csrfmiddlewaretoken" not in forecast  # cached for every user: nothing of one user's
    page = owner_client.get(tab_url("forecast")).content.decode()
    assert 'name="cash_threshold"' in page  # the threshold form is on the forecast's tab
    assert 'name="cash_threshold"' not in owner_client.get(tab_url("cash")).content.decode()


def test_the_pages_the_json_and_the_tables_are_served_from_the_cache_on_a_repeat_view(
    browsing_client, account, django_assert_max_num_queries
):
    for url in (tab_url("flows"), tab_url("forecast")):
        browsing_client.get(url)
        # User, accounts and data version (and the session once a minute): the page's parts come
        # from one cache read.
        with django_assert_max_num_queries(4):
            assert browsing_client.get(url).status_code == 200
    chart(browsing_client, "flows")
    with django_assert_max_num_queries(4):
        chart(browsing_client, "flows")
    details(browsing_client, "aging")
    with django_assert_max_num_queries(4):
        details(browsing_client, "aging")


def test_the_cached_page_shows_the_filters_as_they_apply_and_never_caches_refused_ones(owner_client, account):
    url = tab_url("flows")
    page = owner_client.get(url + "?period=30d&start=2020-01-01").content.decode()
    assert 'value="2020-01-01"' not in page  # a start date only counts for a custom period
    assert '<option value="30d" selected>' in page
    assert 'value="2020-01-01"' not in owner_client.get(url + "?period=30d").content.decode()
    refused = owner_client.get(url + "?period=30d&group=hour").content.decode()
    assert 'data-testid="filter-errors"' in refused
    assert 'data-testid="filter-errors"' not in owner_client.get(url + "?period=30d").content.decode()


def test_the_review_count_and_the_threshold_follow_their_changes(
    owner_client, organization, account, django_capture_on_commit_callbacks
):
    url = reverse("dashboards:overview")
    assert "to reconcile" not in owner_client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        match = make_match(organization)
    assert "1 payment to reconcile" in owner_client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        reconciliation.reject(match, actor=None)
    assert "to reconcile" not in owner_client.get(url).content.decode()
    assert "Stays above zero and above your threshold" in details(owner_client, "forecast")
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(reverse("dashboards:forecast_threshold"), {"cash_threshold": "5000.00"})
    assert response["Location"] == tab_url("forecast")
    assert 'value="5000.00"' in owner_client.get(tab_url("forecast")).content.decode()
    assert f"Below your threshold of {format_money(Decimal(5000))}" in details(
        owner_client, "forecast"
    )  # the cached summary moved


def test_a_cold_page_costs_a_bounded_number_of_queries(browsing_client, account, django_assert_max_num_queries):
    browsing_client.get(reverse("invoices:invoice_list"))  # warm the membership cache only
    for tab in TABS[1:]:
        with django_assert_max_num_queries(12):
            assert browsing_client.get(tab_url(tab.name)).status_code == 200
    for name in PAGE_CHARTS:
        with django_assert_max_num_queries(12):
            details(browsing_client, name)


def test_the_json_is_documented_data_table_and_figure(owner_client, account):
    body = chart(owner_client, "flows", "?period=30d&group=day&currency=EUR")
    assert set(body) == {"chart", "title", "columns", "rows", "summary", "filters", "figure", "empty", "locale"}
    assert body["filters"]["period"] == "30d" and body["filters"]["group"] == "day"
    assert body["rows"][-1]["inflow"] == "250.00"  # money as exact strings
    assert body["figure"]["data"][0]["type"] == "bar"
    index = json.loads(owner_client.get(reverse("dashboards:chart_index")).content)
    assert {c["name"] for c in index["charts"]} == set(CHARTS)


def test_the_csv_has_the_table_of_the_chart(owner_client, account):
    response = owner_client.get(reverse("dashboards:chart_csv", args=["counterparties"]) + "?period=30d")
    assert response["Content-Type"].startswith("text/csv")
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines[0] == "Direction,Counterparty,Amount,Transactions"
    assert lines[1] == "in,Client A,250.00,1"


@pytest.mark.parametrize(
    "query",
    [
        "?period=bogus",
        "?period=custom&start=2026-05-01",
        "?period=custom&start=2026-05-02&end=2026-05-01",
        "?period=custom&start=yesterday&end=2026-05-01",
        "?group=hour",
        "?currency=XYZ",
        "?account=abc",
    ],
)
def test_bad_filters_get_a_400_with_details_or_the_defaults_on_the_page(owner_client, account, query):
    response = owner_client.get(reverse("dashboards:chart_json", args=["flows"]) + query)
    assert response.status_code == 400
    assert json.loads(response.content)["details"]
    page = owner_client.get(tab_url("flows") + query)
    assert page.status_code == 200
    assert b'data-testid="filter-errors"' in page.content
    assert owner_client.get(reverse("dashboards:overview") + query).status_code == 200  # the defaults


@pytest.mark.parametrize("route", ["dashboards:chart_json", "dashboards:chart_details", "dashboards:chart_csv"])
def test_unknown_chart_is_a_404_and_bad_filters_a_400(owner_client, account, route):
    assert owner_client.get(reverse(route, args=["nope"])).status_code == 404
    response = owner_client.get(reverse(route, args=["flows"]) + "?period=bogus")
    assert response.status_code == 400
    assert "period" in json.loads(response.content)["details"]


def test_another_organisations_account_cannot_be_chosen(owner_client, account, other_organization):
    stranger = make_bank_account(other_organization, "5.00", connection=make_connection(other_organization))
    response = owner_client.get(reverse("dashboards:chart_json", args=["position"]) + f"?account={stranger.pk}")
    assert response.status_code == 400
    rows = chart(owner_client, "position")["rows"]
    assert [row["balance"] for row in rows] == ["1000.00"]


def test_a_viewer_reads_the_dashboard(organization, account):
    viewer = logged_in_client(member(organization, Role.VIEWER))
    assert viewer.get(reverse("dashboards:overview")).status_code == 200
    assert chart(viewer, "position")["summary"]["total"] == "1000.00"


def test_choosing_accounts_narrows_every_figure(owner_client, organization, account):
    other = make_bank_account(organization, "50.00", on=datetime.date.today(), connection=account.connection, name="B")
    assert chart(owner_client, "position")["summary"]["total"] == "1050.00"
    assert chart(owner_client, "position", f"?account={other.pk}")["summary"]["total"] == "50.00"
    assert chart(owner_client, "flows", f"?account={other.pk}")["summary"]["inflow"] == "0.00"


def test_every_kind_of_write_moves_the_data_version_and_the_figures(
    owner_client, organization, account, owner, django_capture_on_commit_callbacks
):
    assert chart(owner_client, "flows", "?period=30d")["summary"]["inflow"] == "250.00"
    seen = version(organization)

    def committed(write: Callable[[], object]) -> bool:
        """Run the write as its own committed transaction; whether the data version moved."""
        nonlocal seen
        with django_capture_on_commit_callbacks(execute=True):
            write()
        now = version(organization)
        changed, seen = now != seen, now
        return changed

    assert committed(lambda: add_transactions(account, (datetime.date.today(), "100.00")))  # a sync's write
    assert chart(owner_client, "flows", "?period=30d")["summary"]["inflow"] == "350.00"
    rule = CategoryRule(category="Sales", field="counterpart_name", value="client")
    assert committed(lambda: banking_services.save_rule(rule, organization=organization, actor=owner))
    assert [r["category"] for r in chart(owner_client, "categories", "?period=30d")["rows"]] == [
        "Sales",
        "Uncategorised",
    ]
    with django_capture_on_commit_callbacks(execute=True):
        client = make_client(organization)
    assert committed(lambda: make_invoice(organization, client, issue_date=datetime.date.today()))
    with django_capture_on_commit_callbacks(execute=True):
        invoice = make_invoice(organization, client, issue_date=datetime.date.today())
    assert committed(lambda: pay(invoice, "21.00"))
    assert committed(lambda: services.cancel_invoice(make_invoice(organization, client, sent=False)))
    assert not committed(lambda: chart(owner_client, "flows"))  # reading changes nothing


def test_the_version_moves_once_per_transaction_and_only_after_the_commit(
    organization, account, django_capture_on_commit_callbacks
):
    before = version(organization)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        add_transactions(account, (datetime.date.today(), "1.00"))
        add_transactions(account, (datetime.date.today(), "2.00"))
        assert version(organization) == before
    assert len(callbacks) == 1
    assert version(organization) == before + 1


def test_refused_input_does_not_move_the_version(organization, account, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invoice = make_invoice(organization, make_client(organization), issue_date=datetime.date.today())
    before = version(organization)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        pay(invoice, Decimal("-5"))
    assert version(organization) == before


def test_the_page_makes_as_many_queries_for_many_invoices_as_for_one(browsing_client, organization, account):
    url = tab_url("receivables") + "?period=90d"

    def queries() -> tuple[int, int]:
        """With nothing cached (every figure computed), then repeated (from the cache)."""
        for each in (cache, memory):
            each.clear()
        counts = []
        for _ in range(2):
            with CaptureQueriesContext(connection) as captured:
                assert browsing_client.get(url).status_code == 200
            counts.append(len(captured))
        return counts[0], counts[1]

    client = make_client(organization)
    make_invoice(organization, client)
    one = queries()
    for _ in range(25):
        make_invoice(organization, client)
    many = queries()

    assert one == many
    assert one[1] <= 3  # the signed-in user, the data version, and the session once a minute


def test_a_query_string_of_any_length_or_byte_makes_a_short_cache_key():
    key = cache_key(1, 1, "page:url", "account=a%00b&" * 100)
    assert len(key) < 250 and "%00" not in key
    assert key != cache_key(1, 1, "page:url", "account=a%00c&" * 100)
