"""`/api/v1/dashboards/charts/`: the charts by name and each one's data (series and table, no
drawing) under the dashboard's filters, one organisation's figures only."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from core.models import Organization, Role
from dashboards.charts import CHARTS
from tests.api.conftest import ApiClientFor
from tests.factories import add_transactions, make_bank_account

pytestmark = pytest.mark.django_db

URL = "/api/v1/dashboards/charts/"


def _recently() -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=3)


def test_lists_every_chart(api: APIClient) -> None:
    body = api.get(URL).json()
    assert [chart["name"] for chart in body["data"]] == list(CHARTS)
    assert all(chart["title"] for chart in body["data"])
    assert body["next"] is None


@pytest.mark.parametrize("name", list(CHARTS))
def test_every_chart_gives_its_data_without_a_figure(api: APIClient, organization: Organization, name: str) -> None:
    add_transactions(make_bank_account(organization, "1000.00"), (_recently(), "777.00"))
    response = api.get(f"{URL}{name}/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["chart"] == name
    assert {"title", "columns", "rows", "summary", "filters"} <= set(body)
    assert "figure" not in body
    assert body["filters"]["period"] == "12m"


def test_flows_hold_the_organisations_money_and_never_anothers(
    api: APIClient, organization: Organization, other_organization: Organization
) -> None:
    add_transactions(make_bank_account(organization), (_recently(), "777.00"))
    add_transactions(make_bank_account(other_organization), (_recently(), "333.00"))
    text = api.get(f"{URL}flows/?period=30d&group=day").content.decode()
    assert '"777.00"' in text
    assert "333.00" not in text


def test_filters_select_accounts_and_a_custom_period(api: APIClient, organization: Organization) -> None:
    kept = make_bank_account(organization)
    left_out = make_bank_account(organization)
    add_transactions(kept, (_recently(), "777.00"))
    add_transactions(left_out, (_recently(), "555.00"))
    start, end = _recently() - datetime.timedelta(days=1), _recently() + datetime.timedelta(days=1)
    response = api.get(f"{URL}flows/?account={kept.pk}&period=custom&start={start}&end={end}&group=day")
    body = response.json()
    assert body["filters"] == {
        "period": "custom",
        "start": start.isoformat(),
        "end": end.isoformat(),
        "currency": "EUR",
        "group": "day",
        "accounts": [kept.pk],
    }
    assert "777.00" in response.content.decode()
    assert "555.00" not in response.content.decode()


def test_another_organisations_account_is_a_bad_filter(
    api: APIClient, organization: Organization, other_organization: Organization
) -> None:
    theirs = make_bank_account(other_organization)
    response = api.get(f"{URL}flows/?account={theirs.pk}")
    assert response.status_code == 400
    assert list(response.json()["error"]["details"]) == ["account"]


@pytest.mark.parametrize(
    "query",
    [
        "period=forever",
        "period=custom",
        "period=custom&start=2026-03-10&end=2026-03-01",
        "period=custom&start=2000-01-01&end=2026-01-01",
        "start=2026-02-30&period=custom&end=2026-03-01",
        "group=hour",
        "currency=XXX",
        "account=abc",
        "account=99999999999999999999999",
    ],
)
def test_bad_filters_are_400_with_details(api: APIClient, organization: Organization, query: str) -> None:
    make_bank_account(organization)
    response = api.get(f"{URL}flows/?{query}")
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert (error["code"], bool(error["details"])) == ("invalid", True)


@pytest.mark.parametrize("name", ["nope", "FLOWS", "flows.json", "%00"])
def test_unknown_chart_is_404(api: APIClient, name: str) -> None:
    response = api.get(f"{URL}{name}/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_viewer_reads_and_nobody_writes(api_for: ApiClientFor, organization: Organization) -> None:
    viewer = api_for(organization, role=Role.VIEWER)
    assert viewer.get(f"{URL}flows/").status_code == 200
    assert api_for(organization).post(f"{URL}flows/", {}, format="json").status_code == 405
