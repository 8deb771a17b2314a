"""The transactions screen: search, filters, keyset pages, totals, CSV, tenancy, query counts."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal
from typing import Any, cast
from urllib.parse import urlencode

import pytest
from django.http import StreamingHttpResponse
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from banking import transactions
from banking.models import BankAccount, BankTransaction, Bill, Evidence, Match, MatchStatus, TransactionStatus
from core.formatting import format_money
from core.models import Organization
from tests.factories import add_transactions, make_bank_account, make_connection

URL = reverse("banking:transactions")
DAY = datetime.date(2026, 3, 2)


def ids(response: Any) -> list[int]:
    return [row.pk for row in response.context["page"]]


@pytest.fixture
def account(organization: Organization) -> BankAccount:
    return make_bank_account(organization, name="Current account")


@pytest.fixture
def rows(account: BankAccount) -> dict[str, BankTransaction]:
    """A handful of transactions, each findable by one field only."""
    named = {
        "proximus": add_transactions(account, (DAY, "-42.50"), counterpart_name="Proximus NV", category="Telecom")[0],
        "customer": add_transactions(
            account,
            (DAY - datetime.timedelta(days=1), "125.50"),
            counterpart_name="Brasserie Dupont",
            counterpart_iban="BE71096123456769",
            remittance_information="+++090/9337/55493+++",
        )[0],
        "rent": add_transactions(
            account, (DAY - datetime.timedelta(days=2), "-1850.00"), remittance_information="Huur kantoor 03/2026"
        )[0],
        "fee": add_transactions(account, (DAY - datetime.timedelta(days=3), "-7.50"), description="Beheerskosten")[0],
    }
    return named


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("proximus", "proximus"),
        ("BE71 0961 2345 6769", "customer"),
        ("0961234", "customer"),
        ("huur KANTOOR", "rent"),
        ("beheerskosten", "fee"),
        ("090/9337/55493", "customer"),
        ("090933755493", "customer"),
        ("125,50", "customer"),
        ("125.50", "customer"),
        ("1850", "rent"),
        ("42,5", "proximus"),
    ],
)
def test_search_finds_each_field(owner_client: Client, rows: dict[str, BankTransaction], q: str, expected: str):
    response = owner_client.get(URL, {"q": q})
    assert response.status_code == 200
    assert ids(response) == [rows[expected].pk]


@pytest.mark.parametrize(
    ("text", "amount"),
    [("125,50", "125.50"), ("125.50", "125.50"), ("1.250,50", "1250.50"), ("1,250.50", "1250.50"), ("€ 7", "7.00")],
)
def test_amounts_are_read_as_people_type_them(text: str, amount: str):
    assert transactions.parse_amount(text) == Decimal(amount)


@pytest.mark.django_db
def test_each_filter_narrows_the_list(
    owner_client: Client, organization: Organization, account: BankAccount, rows: dict[str, BankTransaction]
):
    other_connection = make_connection(organization, display_name="Yuki · Books")
    other = make_bank_account(organization, name="Savings", connection=other_connection)
    (saving,) = add_transactions(other, (DAY, "300.00"), counterpart_name="Own transfer")
    (pending,) = add_transactions(account, (DAY, "-3.20"), status=TransactionStatus.PENDING, counterpart_name="Coffee")
    match = Match.objects.create(
        organization=organization,
        transaction=rows["customer"],
        evidence=Evidence.IBAN_AMOUNT,
        status=MatchStatus.APPLIED,
    )
    assert match.pk

    def listed(**params: Any) -> set[int]:
        response = owner_client.get(URL, params)
        assert response.status_code == 200
        return set(ids(response))

    everything = {row.pk for row in rows.values()} | {saving.pk, pending.pk}
    assert listed() == everything
    assert listed(account=other.pk) == {saving.pk}
    assert listed(account=[other.pk, account.pk]) == everything
    assert listed(date_from=DAY.isoformat()) == {rows["proximus"].pk, saving.pk, pending.pk}
    assert listed(date_to=(DAY - datetime.timedelta(days=2)).isoformat()) == {rows["rent"].pk, rows["fee"].pk}
    assert listed(category="Telecom") == {rows["proximus"].pk}
    assert listed(category=transactions.UNCATEGORISED) == everything - {rows["proximus"].pk}
    assert listed(direction="in") == {rows["customer"].pk, saving.pk}
    assert listed(direction="out") == {rows["proximus"].pk, rows["rent"].pk, rows["fee"].pk, pending.pk}
    assert listed(reconciled="yes") == {rows["customer"].pk}
    assert listed(reconciled="no") == everything - {rows["customer"].pk}
    assert listed(source=other_connection.pk) == {saving.pk}
    assert listed(status="pending") == {pending.pk}
    assert listed(status="booked") == everything - {pending.pk}


@pytest.mark.django_db
def test_a_bill_paid_by_the_transaction_counts_as_reconciled(
    owner_client: Client, organization: Organization, rows: dict[str, BankTransaction]
):
    Bill.objects.create(organization=organization, external_id="b1", supplier="Proximus", paid_by=rows["proximus"])
    assert ids(owner_client.get(URL, {"reconciled": "yes"})) == [rows["proximus"].pk]


@pytest.mark.django_db
def test_bad_filters_are_form_errors_not_failures(owner_client: Client, rows: dict[str, BankTransaction]):
    response = owner_client.get(
        URL, {"date_from": "2026-02-30", "direction": "sideways", "account": "abc", "after": "%%%", "q": "a\x00b"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    response = owner_client.get(URL, {"date_from": "2026-03-05", "date_to": "2026-03-01"})
    assert "date_to" in response.context["form"].errors


@pytest.mark.django_db
def test_keyset_pages_have_no_duplicates_and_no_gaps(owner_client: Client, account: BankAccount):
    # Many rows on the same day, and a few undated ones: the id breaks every tie.
    days = [DAY - datetime.timedelta(days=n // 40) for n in range(120)]
    made = add_transactions(account, *((day, f"-{n + 1}.00") for n, day in enumerate(days)))
    undated = add_transactions(account, (DAY, "-1.00"), (DAY, "-2.00"), (DAY, "-3.00"))
    BankTransaction.objects.filter(pk__in=[row.pk for row in undated]).update(execution_date=None)

    seen: list[int] = []
    after = ""
    pages = 0
    while True:
        response = owner_client.get(URL, {"after": after} if after else {})
        seen += ids(response)
        pages += 1
        after = response.context["page"].next_cursor
        if not after:
            break
    assert pages == 3
    assert len(seen) == len(set(seen)) == len(made) + len(undated)
    expected = [row.pk for row in sorted(made, key=lambda row: (row.execution_date, row.pk), reverse=True)] + sorted(
        (row.pk for row in undated), reverse=True
    )
    assert seen == expected


@pytest.mark.django_db
def test_a_bad_cursor_starts_over(owner_client: Client, rows: dict[str, BankTransaction]):
    for after in ["", "abc", "!!", "MjAyNi0wMy0wMl8w", "x" * 500, "OTk5OS0xMi0zMV85OTk5OTk5OTk5OTk5OTk5OTk5OTk5"]:
        assert owner_client.get(URL, {"after": after}).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params",
    [
        {},
        {"direction": "in"},
        {"direction": "out"},
        {"q": "a"},
        {"category": "-"},
        {"status": "booked"},
        {"date_from": "2026-02-28", "date_to": "2026-03-01"},
        {"reconciled": "no"},
    ],
)
def test_totals_equal_the_sum_of_the_filtered_rows(
    owner_client: Client, account: BankAccount, rows: dict[str, BankTransaction], params: dict[str, str]
):
    add_transactions(account, (DAY, "-3.20"), status=TransactionStatus.PENDING, counterpart_name="Coffee bar")
    response = owner_client.get(URL, params)
    listed = list(response.context["page"])
    (totals,) = totals_of(owner_client, params) or [transactions.Totals("EUR", Decimal(0), Decimal(0), 0)]
    assert totals.count == len(listed)
    assert totals.money_in == sum((row.amount for row in listed if row.amount > 0), Decimal(0))
    assert totals.money_out == sum((row.amount for row in listed if row.amount < 0), Decimal(0))
    assert totals.net == sum((row.amount for row in listed), Decimal(0))


def totals_of(client: Client, params: dict[str, str]) -> list[transactions.Totals]:
    """The totals the screen shows for `params`: on the page, or fetched by its script after the rows."""
    shown: list[transactions.Totals] | None = client.get(URL, params).context["totals"]
    if shown is None:
        fetched = client.get(reverse("banking:transaction_totals"), params, HTTP_X_REQUESTED_WITH="fetch")
        assert fetched.templates[0].name == "banking/_transaction_totals.html"
        shown = fetched.context["totals"]
    return shown


@pytest.mark.django_db
def test_a_search_shows_its_rows_first_and_its_totals_after(owner_client: Client, rows: dict[str, BankTransaction]):
    params = {"q": "proximus", "direction": "out"}
    page = owner_client.get(URL, params)
    assert page.context["totals"] is None
    totals_url = f"{reverse('banking:transaction_totals')}?{urlencode(params)}"
    assert f'data-totals-url="{escape(totals_url)}"'.encode() in page.content
    fetched = owner_client.get(totals_url, HTTP_X_REQUESTED_WITH="fetch")
    assert not fetched.content.lstrip().startswith(b"<!DOCTYPE")
    assert b'data-testid="total-count"' in fetched.content
    # Without the script, the link opens them as a page of their own, with the way back.
    as_page = owner_client.get(totals_url)
    assert as_page.content.lstrip().startswith(b"<!DOCTYPE")
    assert f'href="{escape(URL + "?" + urlencode(params))}"'.encode() in as_page.content
    # Once computed they are kept: the next view of the same search shows them at once.
    assert owner_client.get(URL, params).context["totals"] == fetched.context["totals"]


@pytest.mark.django_db
def test_totals_of_a_search_count_only_the_organisations_rows(
    owner_client: Client, rows: dict[str, BankTransaction], other_organization: Organization
):
    add_transactions(make_bank_account(other_organization), (DAY, "-99.00"), counterpart_name="Proximus")
    ours = [row for row in rows.values() if "proximus" in row.counterpart_name.lower()]
    (totals,) = totals_of(owner_client, {"q": "proximus"})
    assert totals.count == len(ours)


@pytest.mark.django_db
def test_totals_follow_a_new_transaction(
    owner_client: Client, organization: Organization, django_capture_on_commit_callbacks
):
    # Every write commits here, so each one moves the data version on as in production.
    with django_capture_on_commit_callbacks(execute=True):
        account = make_bank_account(organization)
        add_transactions(account, (DAY, "-4.00"), (DAY, "5.00"))
    before = owner_client.get(URL).context["totals"][0].count
    with django_capture_on_commit_callbacks(execute=True):
        add_transactions(account, (DAY, "10.00"))
    assert owner_client.get(URL).context["totals"][0].count == before + 1


@pytest.mark.django_db
def test_amounts_show_sign_and_colour_in_the_language(owner_client: Client, rows: dict[str, BankTransaction]):
    owner_client.cookies["django_language"] = "nl"
    with translation.override("nl"):
        response = owner_client.get(URL, HTTP_ACCEPT_LANGUAGE="nl")
        html = response.content.decode()
        assert ">€\u00a0+125,50<" in html  # money in carries its sign, after the symbol as Dutch writes it
        assert format_money(Decimal("125.50"), "EUR", signed=True) == "€\u00a0+125,50"
    assert 'class="number tx-amount amount-out"' in html


@pytest.mark.django_db
def test_csv_holds_the_filtered_set(owner_client: Client, rows: dict[str, BankTransaction]):
    response = owner_client.get(reverse("banking:transactions_csv"), {"direction": "out"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(cast(StreamingHttpResponse, response).getvalue().decode())))
    assert lines[0][0] == "date"
    assert [line[5] for line in lines[1:]] == ["-42.50", "-1850.00", "-7.50"]
    assert lines[1][7] == "Proximus NV"


@pytest.mark.django_db
def test_another_organisations_transactions_never_show(
    owner_client: Client, other_organization: Organization, rows: dict[str, BankTransaction]
):
    theirs = add_transactions(make_bank_account(other_organization), (DAY, "-42.50"), counterpart_name="Proximus NV")[0]
    assert theirs.pk not in ids(owner_client.get(URL, {"q": "proximus"}))
    export = cast(StreamingHttpResponse, owner_client.get(reverse("banking:transactions_csv")))
    csv_text = export.getvalue().decode()
    assert csv_text.count("Proximus NV") == 1
    assert owner_client.get(reverse("banking:transaction_detail", args=[theirs.pk])).status_code == 404


@pytest.mark.django_db
def test_the_page_makes_a_bounded_number_of_queries(
    owner_client: Client, account: BankAccount, django_assert_max_num_queries
):
    add_transactions(account, *((DAY - datetime.timedelta(days=n), f"-{n + 1}.00") for n in range(60)))
    owner_client.get(URL)  # session, memberships and banners cached, as mid-visit
    with django_assert_max_num_queries(16):
        response = owner_client.get(URL, {"q": "x", "direction": "out", "date_from": "2026-01-01"})
    assert response.status_code == 200
    with django_assert_max_num_queries(16):
        assert owner_client.get(URL).status_code == 200


@pytest.mark.django_db
def test_the_navigation_links_to_the_screen(owner_client: Client):
    assert f'href="{URL}"' in owner_client.get(URL).content.decode()
