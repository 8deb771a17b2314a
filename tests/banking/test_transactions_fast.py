"""The transactions screen at speed: its search column is kept by the database on every write
path, and its rendered rows are never served stale, in another language or to another role."""

from __future__ import annotations

import datetime
import hashlib
import json
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from banking import ingest, services, transactions
from banking.models import BankAccount, BankTransaction
from core.memory import memory
from core.models import Organization, Role, User
from tests.factories import add_transactions, make_bank_account, member
from tests.helpers import logged_in_client

URL = reverse("banking:transactions")
DAY = datetime.date(2026, 3, 2)


def search_text(row: BankTransaction) -> str:
    return str(BankTransaction.objects.values_list("search_text", flat=True).get(pk=row.pk))


def found(organization: Organization, text: str) -> list[int]:
    rows = transactions.filtered(organization.pk, transactions.TransactionFilters(q=text))
    return list(rows.order_by("pk").values_list("pk", flat=True))


def incoming(external_id: str, **fields: object) -> ingest.IncomingTransaction:
    mapped: dict[str, object] = dict.fromkeys(ingest.MAPPED_FIELDS, "")
    mapped.update(value_date=DAY, execution_date=DAY, amount=Decimal("-12.00"), currency="EUR", **fields)
    raw_json = json.dumps({"id": external_id, **{k: str(v) for k, v in fields.items()}})
    return ingest.IncomingTransaction(external_id, hashlib.sha256(raw_json.encode()).hexdigest(), raw_json, mapped)


@pytest.fixture
def account(organization: Organization) -> BankAccount:
    return make_bank_account(organization, name="Current account")


# --- the search column -------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_search_column_holds_every_searched_field_upper_case(account: BankAccount):
    (row,) = add_transactions(
        account,
        (DAY, "-10.00"),
        counterpart_name="Drukkerij Vanderheyden",
        counterpart_iban="BE71096123456769",
        description="Drukwerk",
        remittance_information="+++090/9337/55493+++",
    )
    assert search_text(row) == "DRUKKERIJ VANDERHEYDEN\nBE71096123456769\nDRUKWERK\n+++090/9337/55493+++"


@pytest.mark.django_db(transaction=True)
def test_the_search_column_follows_every_write_path(organization: Organization, account: BankAccount):
    # A sync's new rows (COPY on PostgreSQL, bulk_create elsewhere), then the same rows changed.
    source = account.connection
    with transaction.atomic():
        ingest.upsert_transactions(
            source, account, "booked", [incoming("a", counterpart_name="Alfa NV")], probably_new=True
        )
    (row,) = BankTransaction.objects.filter(external_id="a")
    assert found(organization, "alfa") == [row.pk]
    with transaction.atomic():
        ingest.upsert_transactions(source, account, "booked", [incoming("a", counterpart_name="Bravo BV")])
    assert found(organization, "alfa") == []
    assert found(organization, "bravo") == [row.pk]

    # A queryset update, a save of some fields, a save of the whole row.
    BankTransaction.objects.filter(pk=row.pk).update(description="Charlie")
    assert found(organization, "charlie") == [row.pk]
    row.refresh_from_db()
    row.remittance_information = "Delta 2026"
    row.save(update_fields=["remittance_information"])
    assert found(organization, "delta") == [row.pk]
    row.refresh_from_db()
    row.counterpart_iban = "BE68539007547034"
    row.save()
    assert found(organization, "BE68 5390 0754 7034") == [row.pk]

    # bulk_update, and a row created one at a time.
    row.refresh_from_db()
    row.counterpart_name = "Echo"
    BankTransaction.objects.bulk_update([row], ["counterpart_name"])
    assert found(organization, "echo") == [row.pk]
    single = BankTransaction.objects.create(
        organization=organization,
        connection=source,
        account=account,
        external_id="b",
        amount=Decimal("1.00"),
        counterpart_name="Foxtrot",
    )
    assert found(organization, "foxtrot") == [single.pk]


@pytest.mark.django_db
def test_a_search_never_matches_across_two_fields(organization: Organization, account: BankAccount):
    add_transactions(account, (DAY, "-10.00"), counterpart_name="Alfa", description="Bravo")
    assert found(organization, "alfa bravo") == []
    assert found(organization, "alfabravo") == []


@pytest.mark.django_db
def test_a_search_ignores_case_as_the_database_does(organization: Organization, account: BankAccount):
    (row,) = add_transactions(account, (DAY, "-10.00"), counterpart_name="Café Élysée")
    assert found(organization, "CAFé Élysée") == [row.pk]
    if connection.vendor == "postgresql":  # SQLite's UPPER changes ASCII letters only
        assert found(organization, "café élysée") == [row.pk]
        assert found(organization, "CAFÉ") == [row.pk]


# --- the rendered rows ---------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_categorised_row_shows_at_once(owner_client: Client, owner: User, account: BankAccount):
    (row,) = add_transactions(account, (DAY, "-42.50"), counterpart_name="Proximus NV")
    services.categorize_transactions(account.organization, [row.pk], "Telecom", actor=owner)
    first = owner_client.get(URL).content.decode()
    assert '<option value="Telecom" selected>' in first
    assert owner_client.get(URL).content.decode().count("Telecom") == first.count("Telecom")  # the kept copy

    response = owner_client.post(
        reverse("banking:transaction_categorize", args=[row.pk]), {"category": "Phone", "next": URL}
    )
    assert response.status_code == 302
    html = owner_client.get(URL).content.decode()
    assert '<option value="Phone" selected>' in html
    assert '<option value="Telecom" selected>' not in html


@pytest.mark.django_db
def test_each_request_gets_its_own_csrf_token_in_the_kept_rows(owner_client: Client, account: BankAccount):
    add_transactions(account, (DAY, "-42.50"), counterpart_name="Proximus NV")
    owner_client.get(URL)
    html = owner_client.get(URL).content.decode()
    assert "<!-- csrf token -->" not in html
    # The bulk form and the row's own form each carry the page's token.
    assert html.count('name="csrfmiddlewaretoken"') >= 2


@pytest.mark.django_db
def test_another_language_gets_its_own_copy(owner_client: Client, account: BankAccount):
    add_transactions(account, (DAY, "-42.50"), counterpart_name="Proximus NV")
    english = owner_client.get(URL, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    owner_client.cookies["django_language"] = "nl"
    dutch = owner_client.get(URL, HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert "Always categorise like this" in english
    assert "Always categorise like this" not in dutch
    assert "Next page" not in dutch


@pytest.mark.django_db
def test_a_viewer_gets_no_selects_after_a_finance_user(
    owner_client: Client, organization: Organization, account: BankAccount
):
    add_transactions(account, (DAY, "-42.50"), counterpart_name="Proximus NV")
    assert 'data-testid="row-category"' in owner_client.get(URL).content.decode()
    viewer = logged_in_client(member(organization, Role.VIEWER))
    html = viewer.get(URL).content.decode()
    assert "Proximus NV" in html
    assert 'data-testid="row-category"' not in html
    assert "data-tick" not in html


@pytest.mark.django_db
def test_a_repeat_view_reads_no_rows(owner_client: Client, account: BankAccount):
    add_transactions(account, *((DAY - datetime.timedelta(days=n), f"-{n + 1}.00") for n in range(60)))
    owner_client.get(URL)
    owner_client.get(URL)
    with CaptureQueriesContext(connection) as queries:
        assert owner_client.get(URL).status_code == 200
    table = BankTransaction._meta.db_table
    assert not [q for q in queries.captured_queries if f'FROM "{table}"' in q["sql"]]


@pytest.mark.django_db
def test_the_kept_rows_are_this_process_own(owner_client: Client, account: BankAccount):
    add_transactions(account, (DAY, "-42.50"), counterpart_name="Proximus NV")
    owner_client.get(URL)
    memory.clear()
    assert "Proximus NV" in owner_client.get(URL).content.decode()
