"""`/api/v1/transactions/`: the transactions screen's filters and keyset pages, one transaction
with what it paid, and categorising one by hand, audited, within the caller's role and scope."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from api.models import Scope
from banking.models import BankTransaction, Bill
from banking.transactions import Cursor
from core.models import AuditEvent, Organization, Role
from tests.api.conftest import ApiClientFor
from tests.factories import add_transactions, make_bank_account, make_match

pytestmark = pytest.mark.django_db

URL = "/api/v1/transactions/"
DAY = datetime.date(2026, 3, 2)
# The key, its member, the filter form's choices and categories, the page: whatever the rows.
LIST_QUERIES = 13


def test_list_is_newest_first_with_money_as_strings(api: APIClient, organization: Organization) -> None:
    account = make_bank_account(organization)
    add_transactions(
        account, (DAY, "-42.50"), (DAY + datetime.timedelta(days=1), "1250.00"), counterpart_name="Proximus"
    )
    body = api.get(URL).json()
    assert [row["amount"] for row in body["data"]] == ["1250.00", "-42.50"]
    assert body["data"][0]["execution_date"] == "2026-03-03"
    assert body["data"][0]["account"] == account.pk
    assert "raw" not in body["data"][0]
    assert body["next"] is None


def test_pages_through_many_rows_of_one_day_without_repeats(api: APIClient, organization: Organization) -> None:
    account = make_bank_account(organization)
    rows = add_transactions(account, *[(DAY, f"-{n}.00") for n in range(1, 8)])
    add_transactions(account, (None, "5.00"))  # type: ignore[arg-type]
    seen: list[int] = []
    url: str | None = f"{URL}?limit=3"
    while url:
        body = api.get(url).json()
        seen += [row["id"] for row in body["data"]]
        url = body["next"]
    dated = sorted((row.pk for row in rows), reverse=True)
    assert seen[:7] == dated
    assert len(seen) == 8 == len(set(seen))


def test_filters_as_the_screen_reads_them(api: APIClient, organization: Organization) -> None:
    account = make_bank_account(organization)
    other = make_bank_account(organization)
    add_transactions(account, (DAY, "-42.50"), counterpart_name="Proximus")
    add_transactions(account, (DAY, "900.00"), counterpart_name="Brouwerij Het Anker")
    add_transactions(other, (DAY - datetime.timedelta(days=40), "-10.00"), counterpart_name="Proximus")
    names = lambda query: sorted(row["counterpart_name"] for row in api.get(f"{URL}?{query}").json()["data"])  # noqa: E731
    assert names("q=proximus") == ["Proximus", "Proximus"]
    assert names(f"account={account.pk}&direction=out") == ["Proximus"]
    assert names("date_from=2026-03-01&date_to=2026-03-31") == ["Brouwerij Het Anker", "Proximus"]
    assert names("direction=in") == ["Brouwerij Het Anker"]
    assert names("reconciled=yes") == []
    assert names(f"account={account.pk}&account={other.pk}&q=42,50") == ["Proximus"]


@pytest.mark.parametrize(
    "query",
    [
        "date_from=2026-02-30",
        "date_from=2026-03-10&date_to=2026-03-01",
        "direction=sideways",
        "category=NoSuchCategory",
        "account=99999999999999999999999",
        "account=abc",
        "source=12345678901234567890123",
        "status=lost",
        "cursor=not-a-cursor",
        f"cursor={'A' * 80}",
        "limit=abc",
    ],
)
def test_bad_filters_and_cursors_are_400(api: APIClient, organization: Organization, query: str) -> None:
    add_transactions(make_bank_account(organization), (DAY, "-1.00"))
    response = api.get(f"{URL}?{query}")
    if query == "limit=abc":  # a page size it cannot read falls back to the default, as DRF does
        assert response.status_code == 200
        return
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == "invalid"


def test_a_cursor_of_another_shape_still_pages_safely(api: APIClient, organization: Organization) -> None:
    add_transactions(make_bank_account(organization), (DAY, "-1.00"))
    token = Cursor(DAY, 2**62).encode()
    assert api.get(f"{URL}?cursor={token}").status_code == 200


def test_detail_shows_the_invoices_and_bills_it_paid(api: APIClient, organization: Organization) -> None:
    match = make_match(organization)
    invoice = match.candidates.get()
    confirmed = api.post(f"/api/v1/reconciliation/{match.pk}/confirm/", {"invoice": invoice.pk}, format="json")
    assert confirmed.status_code == 200, confirmed.json()
    bill = Bill.objects.create(
        organization=organization, external_id="b1", supplier="Proximus", paid_by=match.transaction
    )
    body = api.get(f"{URL}{match.transaction_id}/").json()
    assert body["match"]["status"] == "applied"
    assert [(paid["invoice"], paid["invoice_number"], paid["amount"]) for paid in body["match"]["paid_invoices"]] == [
        (invoice.pk, invoice.number, "50.00")
    ]
    assert [paid["id"] for paid in body["paid_bills"]] == [bill.pk]


def test_detail_of_an_unmatched_transaction(api: APIClient, organization: Organization) -> None:
    (row,) = add_transactions(make_bank_account(organization), (DAY, "-1.00"))
    body = api.get(f"{URL}{row.pk}/").json()
    assert body["match"] is None
    assert body["paid_bills"] == []


def test_categorise_by_hand_is_audited(api: APIClient, organization: Organization) -> None:
    (row,) = add_transactions(make_bank_account(organization), (DAY, "-42.50"))
    response = api.post(f"{URL}{row.pk}/categorise/", {"category": "  Telecom "}, format="json")
    assert response.status_code == 200, response.json()
    assert (response.json()["category"], response.json()["categorized_by_hand"]) == ("Telecom", True)
    row.refresh_from_db()
    assert (row.category, row.categorized_by_hand) == ("Telecom", True)
    event = AuditEvent.objects.get(action="bank_transaction.categorized", target_id=str(row.pk))
    assert event.after == {"category": "Telecom"}
    # The new category is now one the list's filter knows.
    assert [r["id"] for r in api.get(f"{URL}?category=Telecom").json()["data"]] == [row.pk]


@pytest.mark.parametrize("body", [{}, {"category": "x" * 65}, {"category": ["a"]}, {"category": {"a": 1}}])
def test_categorise_with_bad_input_is_400(api: APIClient, organization: Organization, body: object) -> None:
    (row,) = add_transactions(make_bank_account(organization), (DAY, "-42.50"))
    response = api.post(f"{URL}{row.pk}/categorise/", body, format="json")
    assert response.status_code == 400, response.content
    assert BankTransaction.objects.get(pk=row.pk).categorized_by_hand is False


@pytest.mark.parametrize("path", ["99999999999999999999999/", "0/", "abc/", "99999999999999999999999/categorise/"])
def test_unknown_ids_are_404(api: APIClient, path: str) -> None:
    method = api.post if path.endswith("categorise/") else api.get
    assert method(f"{URL}{path}", {"category": "x"}, format="json").status_code == 404


def test_viewer_reads_but_cannot_categorise(api_for: ApiClientFor, organization: Organization) -> None:
    (row,) = add_transactions(make_bank_account(organization), (DAY, "-42.50"))
    viewer = api_for(organization, role=Role.VIEWER)
    assert viewer.get(f"{URL}{row.pk}/").status_code == 200
    response = viewer.post(f"{URL}{row.pk}/categorise/", {"category": "Telecom"}, format="json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


def test_read_scoped_key_cannot_categorise(api_for: ApiClientFor, organization: Organization) -> None:
    (row,) = add_transactions(make_bank_account(organization), (DAY, "-42.50"))
    reader = api_for(organization, role=Role.ADMIN, scope=Scope.READ)
    assert reader.post(f"{URL}{row.pk}/categorise/", {"category": "Telecom"}, format="json").status_code == 403
    assert not BankTransaction.objects.filter(category="Telecom").exists()


def test_another_organisations_transactions_never_show(
    api: APIClient, organization: Organization, other_organization: Organization
) -> None:
    (theirs,) = add_transactions(make_bank_account(other_organization), (DAY, "-1.00"), counterpart_name="Secret")
    assert api.get(f"{URL}?q=secret").json()["data"] == []
    assert api.get(f"{URL}{theirs.pk}/").status_code == 404
    their_account = theirs.account_id
    assert api.get(f"{URL}?account={their_account}").status_code == 400


@pytest.mark.parametrize("rows", [5, 100])
def test_list_queries_do_not_grow_with_rows(
    api: APIClient, organization: Organization, rows: int, django_assert_max_num_queries: Callable[..., Any]
) -> None:
    add_transactions(make_bank_account(organization), *[(DAY, "-1.00")] * rows, counterpart_name="Proximus")
    with django_assert_max_num_queries(LIST_QUERIES):
        body = api.get(f"{URL}?limit=100&q=proximus&direction=out").json()
    assert len(body["data"]) == rows


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("q=" + "9" * 40, 200),  # no amount that big: searched as text
        ("q=-99999999999999999,99", 200),
        ("limit=" + "9" * 30, 200),  # the most a page holds
        ("limit=-1", 200),  # the default page
        ("q=%00", 400),
        ("q=" + "x" * 300, 400),
    ],
)
def test_odd_values_are_read_or_refused_never_failed(
    api: APIClient, organization: Organization, query: str, status: int
) -> None:
    add_transactions(make_bank_account(organization), (DAY, "-1.00"))
    assert api.get(f"{URL}?{query}").status_code == status
