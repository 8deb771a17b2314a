"""`/api/v1/bank-accounts/`: the organisation's accounts with their latest balances, read only."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from core.models import Organization, Role
from tests.api.conftest import ApiClientFor
from tests.factories import make_bank_account, make_connection

pytestmark = pytest.mark.django_db

URL = "/api/v1/bank-accounts/"
LIST_QUERIES = 4  # the key, its member, its last use, the page


def test_retrieve_shows_balance_and_its_date(api: APIClient, organization: Organization) -> None:
    account = make_bank_account(organization, "1234.56", on=datetime.date(2026, 3, 2), name="KBC Business")
    body = api.get(f"{URL}{account.pk}/").json()
    assert body["name"] == "KBC Business"
    assert body["iban"] == account.iban
    assert (body["current_balance"], body["currency"]) == ("1234.56", "EUR")
    reported = datetime.datetime.fromisoformat(body["current_balance_date"])
    assert reported == datetime.datetime(2026, 3, 2, 20, 0, tzinfo=datetime.UTC)
    assert (body["connection"], body["included"]) == (account.connection_id, True)
    assert "raw" not in body


def test_list_filters_by_connection_and_inclusion(api: APIClient, organization: Organization) -> None:
    connection = make_connection(organization)
    kept = make_bank_account(organization, connection=connection)
    make_bank_account(organization, connection=connection, included=False)
    make_bank_account(organization)
    found = api.get(f"{URL}?connection={connection.pk}&included=true").json()
    assert [row["id"] for row in found["data"]] == [kept.pk]


@pytest.mark.parametrize("query", ["connection=abc", "connection=99999999999999999999999", "connection=-1"])
def test_bad_filters_are_400(api: APIClient, query: str) -> None:
    response = api.get(f"{URL}?{query}")
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == "invalid"


def test_viewer_reads_and_nobody_writes(api_for: ApiClientFor, organization: Organization) -> None:
    account = make_bank_account(organization)
    viewer = api_for(organization, role=Role.VIEWER)
    assert viewer.get(f"{URL}{account.pk}/").status_code == 200
    assert api_for(organization).patch(f"{URL}{account.pk}/", {"name": "x"}, format="json").status_code == 405


def test_another_organisations_accounts_never_show(
    api: APIClient, organization: Organization, other_organization: Organization
) -> None:
    theirs = make_bank_account(other_organization)
    assert api.get(URL).json()["data"] == []
    assert api.get(f"{URL}{theirs.pk}/").status_code == 404


@pytest.mark.parametrize("rows", [5, 100])
def test_list_queries_do_not_grow_with_rows(
    api: APIClient, organization: Organization, rows: int, django_assert_max_num_queries: Callable[..., Any]
) -> None:
    connection = make_connection(organization)
    for _ in range(rows):
        make_bank_account(organization, connection=connection)
    with django_assert_max_num_queries(LIST_QUERIES):
        body = api.get(f"{URL}?limit=100").json()
    assert len(body["data"]) == rows
