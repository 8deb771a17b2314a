"""`/api/v1/bills/`: the bills to pay, filtered by state, supplier and due day, read only."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from rest_framework.test import APIClient

from core.models import Organization, Role
from tests.api.conftest import ApiClientFor
from tests.factories import make_bill, make_connection

pytestmark = pytest.mark.django_db

URL = "/api/v1/bills/"
LIST_QUERIES = 4  # the key, its member, its last use, the page


def test_retrieve_shows_amounts_as_strings(api: APIClient, organization: Organization) -> None:
    bill = make_bill(organization, open_amount=Decimal("21.00"))
    body = api.get(f"{URL}{bill.pk}/").json()
    assert (body["supplier"], body["reference"]) == ("Proximus", "INV-2026-0042")
    assert (body["original_amount"], body["open_amount"], body["currency"]) == ("121.00", "21.00", "EUR")
    assert (body["due_date"], body["settled_on"]) == ("2026-03-31", None)
    assert "raw" not in body


def test_list_filters(api: APIClient, organization: Organization) -> None:
    connection = make_connection(organization)
    late = make_bill(organization, connection=connection, supplier="Proximus", due_date=datetime.date(2026, 2, 1))
    soon = make_bill(organization, connection=connection, supplier="Engie", due_date=datetime.date(2026, 4, 1))
    paid = make_bill(
        organization, connection=connection, supplier="Engie", open_amount=0, settled_on=datetime.date(2026, 3, 1)
    )

    def ids(query: str) -> set[int]:
        response = api.get(f"{URL}?{query}")
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["data"]}

    assert ids("open=true") == {late.pk, soon.pk}
    assert ids("open=false") == {paid.pk}
    assert ids("supplier=engie") == {soon.pk, paid.pk}
    assert ids("open=true&due_to=2026-03-01") == {late.pk}
    assert ids("due_from=2026-03-01&due_to=2026-12-31") == {soon.pk, paid.pk}


@pytest.mark.parametrize("query", ["due_from=2026-13-01", "due_to=yesterday", "connection=99999999999999999999999"])
def test_bad_filters_are_400(api: APIClient, query: str) -> None:
    response = api.get(f"{URL}?{query}")
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == "invalid"


def test_viewer_reads(api_for: ApiClientFor, organization: Organization) -> None:
    bill = make_bill(organization)
    assert api_for(organization, role=Role.VIEWER).get(f"{URL}{bill.pk}/").status_code == 200


def test_another_organisations_bills_never_show(
    api: APIClient, organization: Organization, other_organization: Organization
) -> None:
    theirs = make_bill(other_organization)
    assert api.get(URL).json()["data"] == []
    assert api.get(f"{URL}{theirs.pk}/").status_code == 404


@pytest.mark.parametrize("rows", [5, 100])
def test_list_queries_do_not_grow_with_rows(
    api: APIClient, organization: Organization, rows: int, django_assert_max_num_queries: Callable[..., Any]
) -> None:
    connection = make_connection(organization)
    for _ in range(rows):
        make_bill(organization, connection=connection)
    with django_assert_max_num_queries(LIST_QUERIES):
        body = api.get(f"{URL}?limit=100&open=true&supplier=prox").json()
    assert len(body["data"]) == rows
