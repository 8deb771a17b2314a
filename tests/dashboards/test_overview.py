"""The overview (the home page): its key figures, what needs attention, the first steps of a new
organisation, the shared style of every chart, and caches kept apart per language."""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import translation

from banking.models import Bill
from core.formatting import format_date, format_money
from core.memory import memory
from core.models import Organization, Role
from dashboards.charts import CHARTS, IN_COLOR, MIN_MONEY_SPAN, OUT_COLOR, money_axis
from integrations.models import ConnectionStatus, Provider
from tests.factories import (
    add_transactions,
    make_bank_account,
    make_client,
    make_connection,
    make_invitation,
    make_invoice,
    make_lines,
    make_match,
    member,
)

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 15)
D = Decimal


@pytest.fixture(autouse=True)
def _today() -> Iterator[None]:
    with time_machine.travel(datetime.datetime(2026, 6, 15, 10, 0, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture(autouse=True)
def _fresh_caches() -> None:
    for each in (cache, memory):
        each.clear()


def overview(client: HttpClient, query: str = "") -> str:
    response = client.get(reverse("dashboards:overview") + query)
    assert response.status_code == 200
    return response.content.decode()


def chart(client: HttpClient, name: str, query: str = "") -> dict[str, Any]:
    response = client.get(reverse("dashboards:chart_json", args=[name]) + query)
    assert response.status_code == 200, response.content
    body: dict[str, Any] = json.loads(response.content)
    return body


@pytest.fixture
def books(organization: Organization, django_capture_on_commit_callbacks) -> Organization:
    """A bank account holding 8,000 today, 1,500 in and 400 out this month; an invoice of 1,210
    thirty days overdue and one not yet due; an open bill of 600; a suggested match (with its
    own invoice of 121, overdue since April)."""
    with django_capture_on_commit_callbacks(execute=True):
        account = make_bank_account(organization, "8000.00", on=TODAY)
        add_transactions(account, (TODAY - datetime.timedelta(days=3), "1500.00"), (TODAY, "-400.00"))
        client = make_client(organization, name="Brasserie Dupont", payment_terms_days=30)
        make_invoice(
            organization, client, lines=make_lines(("10", "100.00", "21")), issue_date=datetime.date(2026, 4, 16)
        )
        make_invoice(organization, client, lines=make_lines(("1", "100.00", "0")), issue_date=TODAY)
        Bill.objects.create(
            organization=organization,
            connection=make_connection(organization, provider=Provider.YUKI, display_name="Yuki"),
            external_id="bill-1",
            supplier="Office Supplies NV",
            due_date=TODAY + datetime.timedelta(days=20),
            original_amount=D("600.00"),
            open_amount=D("600.00"),
        )
        make_match(organization)
    return organization


def test_the_home_page_is_the_overview_with_the_key_figures(owner_client, books):
    home = owner_client.get(reverse("home")).content.decode()

    assert "<h1>Acme BV</h1>" in home and 'data-testid="key-figures"' in home
    assert format_money(D("8000.00")) in home  # cash today
    assert format_money(D("1500.00")) in home and format_money(D("400.00")) in home  # in and out this month
    assert format_money(D("1331.00")) in home  # overdue receivables: 1,210 + 121
    assert format_money(D("600.00")) in home  # open payables
    assert 'href="/dashboard/" aria-current="page">Overview</a>' in home
    assert "Recent activity" in home and reverse("audit_log") in home  # the audit log, one click away


def test_the_overview_says_what_needs_attention_with_links(owner_client, books):
    page = overview(owner_client)

    assert f'<a href="{reverse("banking:reconciliation")}">1 payment to reconcile</a>' in page
    assert f'{reverse("invoices:invoice_list")}?overdue=1">2 overdue invoices ({format_money(D("1331.00"))})' in page
    assert "uncategorised transactions" in page  # the two bank transactions no rule sorted
    assert "Nothing needs your attention" not in page


def test_a_connection_that_needs_consent_is_listed(owner_client, books, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        connection = make_connection(books, display_name="KBC via Ponto")
        connection.set_status(ConnectionStatus.NEEDS_REAUTH)

    page = overview(owner_client)

    assert f'<a href="{connection.get_absolute_url()}">KBC via Ponto needs your consent again</a>' in page


def test_the_overview_figures_are_cached_with_a_bounded_number_of_queries(
    browsing_client, books, django_assert_max_num_queries
):
    for each in (cache, memory):
        each.clear()
    with django_assert_max_num_queries(30):  # cold: every figure computed
        overview(browsing_client)
    # Warm: the user, the data version, the first steps' colleague check (and the session once a minute).
    with django_assert_max_num_queries(4):
        overview(browsing_client)


def test_a_new_organisation_sees_the_first_steps_instead_of_empty_figures(owner_client, organization):
    page = overview(owner_client)

    assert 'data-testid="checklist"' in page and "0 of 4 done" in page
    assert 'data-testid="key-figures"' not in page and "data-chart-url" not in page
    assert "plotly" not in page  # no chart library for a page without charts
    for url in (
        reverse("integrations:connection_list"),
        reverse("integrations:yuki_connect"),
        reverse("invoices:invoice_create"),
        reverse("organization_members"),
    ):
        assert f'href="{url}"' in page


def done_steps(page: str) -> set[str]:
    return {step for step in ("bank", "yuki", "invoice", "colleague") if f'data-step="{step}" data-done="true"' in page}


def test_each_first_step_ticks_when_done_and_the_list_goes_once_all_are(
    owner_client, organization, django_capture_on_commit_callbacks
):
    assert done_steps(overview(owner_client)) == set()

    with django_capture_on_commit_callbacks(execute=True):
        account = make_bank_account(organization, "10.00", on=TODAY)  # on a Ponto connection
        account.connection.set_status(ConnectionStatus.ACTIVE)  # as the consent's callback does
    page = overview(owner_client)
    assert done_steps(page) == {"bank"}
    assert 'data-testid="key-figures"' in page  # some data: the overview shows, the steps as a small card

    with django_capture_on_commit_callbacks(execute=True):
        make_connection(organization, provider=Provider.YUKI, display_name="Yuki").set_status(ConnectionStatus.ACTIVE)
    assert done_steps(overview(owner_client)) == {"bank", "yuki"}

    with django_capture_on_commit_callbacks(execute=True):
        make_invoice(organization, sent=False)
    assert done_steps(overview(owner_client)) == {"bank", "yuki", "invoice"}

    make_invitation(organization)
    page = overview(owner_client)
    assert 'data-testid="checklist"' not in page  # all four done
    assert 'data-testid="checklist"' not in overview(owner_client)


def test_a_second_member_ticks_the_colleague_step(owner_client, organization):
    member(organization, Role.VIEWER, email="colleague@acme.example")

    assert done_steps(overview(owner_client)) == {"colleague"}


def test_every_tab_renders(owner_client, books):
    for name in ("overview", "cash", "flows", "forecast", "receivables"):
        response = owner_client.get(reverse(f"dashboards:{name}"))
        assert response.status_code == 200, name
        assert 'aria-current="page"' in response.content.decode()


def test_every_chart_has_the_shared_style(owner_client, books):
    for name in CHARTS:
        body = chart(owner_client, name)
        layout = body["figure"]["layout"]
        assert layout["separators"] == ".,", name
        assert layout["font"]["family"].startswith("system-ui"), name
        axes = [key for key in layout if key.startswith(("xaxis", "yaxis"))]
        assert axes and all(layout[key]["automargin"] for key in axes), name


def test_the_forecast_draws_weekly_flows_on_their_own_axis_and_the_balance_dashed(owner_client, books):
    figure = chart(owner_client, "forecast")["figure"]
    money_in, money_out, balance = figure["data"][:3]

    assert money_in["yaxis"] == money_out["yaxis"] == "y2"
    assert figure["layout"]["yaxis2"]["overlaying"] == "y" and figure["layout"]["yaxis2"]["side"] == "right"
    assert money_in["marker"]["color"] == IN_COLOR and money_out["marker"]["color"] == OUT_COLOR
    assert balance.get("yaxis", "y") == "y" and balance["line"]["dash"] == "dash"


def test_an_empty_chart_says_so_instead_of_drawing_an_empty_grid(owner_client, organization):
    make_bank_account(organization, "0.00", on=TODAY)

    body = chart(owner_client, "flows")

    assert body["empty"] == "No bank transactions in this period."
    assert body["figure"]["data"] == []
    assert body["figure"]["layout"]["yaxis"]["visible"] is False


def test_a_flat_or_empty_money_axis_never_gets_fractional_ticks():
    for values in ([], [D(0)], [D(0), D(0)], [D("3.00")], [D("-2.00"), D("1.00")]):
        low, high = money_axis("EUR", values)["range"]
        assert high - low >= MIN_MONEY_SPAN, values
        assert low <= min(values, default=0) and high >= max(values, default=0)
    assert "range" not in money_axis("EUR", [D("0"), D("500000")])  # plotly's own range for real data


def test_money_axes_are_written_as_the_language_writes_amounts(owner_client, books):
    assert chart(owner_client, "balance")["figure"]["layout"]["yaxis"]["tickprefix"] == "€"
    owner_client.cookies["django_language"] = "nl"
    layout = chart(owner_client, "balance")["figure"]["layout"]
    assert layout["separators"] == ",." and layout["yaxis"]["tickprefix"] == "€\u00a0"


def test_chart_json_is_cached_per_language(owner_client, books):
    english = chart(owner_client, "flows")
    assert english["title"] == "Money in and out"

    owner_client.cookies["django_language"] = "nl"
    dutch = chart(owner_client, "flows")

    with translation.override("nl"):
        expected = translation.gettext("Money in and out")
    assert dutch["title"] == expected
    assert dutch["locale"]["name"] == "app-nl" and english["locale"]["name"] == "app-en"
    owner_client.cookies["django_language"] = "en"
    assert chart(owner_client, "flows")["title"] == "Money in and out"


def test_the_overview_is_written_in_the_users_language(owner_client, books):
    owner_client.cookies["django_language"] = "nl"
    page = overview(owner_client)
    with translation.override("nl"):
        assert format_money(D("8000.00")) in page
        assert format_date(TODAY, "DATE_FORMAT") in page  # "balances of ..." in Dutch


def test_past_the_cap_the_matches_to_review_read_more_than(owner_client, books, monkeypatch):
    monkeypatch.setattr("dashboards.overview.REVIEW_COUNT_CAP", 1)

    assert "More than 1 payments to reconcile" in overview(owner_client)
