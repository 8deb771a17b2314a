"""core.bulk on PostgreSQL: copy_upsert inserts, leaves unchanged rows alone, updates what
differs and tells what each updated row was before; copy_insert writes new rows whole or none."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction

from banking.models import BankAccount
from core.bulk import UpsertPlan, copy_insert, copy_upsert
from tests.factories import OrganizationFactory, make_connection

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's; SQLite keeps the ORM path"),
]

PLAN = UpsertPlan(
    table=BankAccount._meta.db_table,
    columns=("external_id", "name", "holder_name", "raw"),
    key=("connection_id", "external_id"),
    update=("name", "holder_name"),
    compare=("name",),
    returning=("external_id", "name"),
    previous=("name",),
)


@pytest.fixture
def constants() -> dict[str, Any]:
    organization = OrganizationFactory.create()
    link = make_connection(organization)
    return {
        "organization_id": organization.pk,
        "connection_id": link.pk,
        "iban": "",
        "currency": "EUR",
        "subtype": "",
        "current_balance": 0,
        "included": True,
        "preferred_source": False,
        "newest_transaction_id": "",
    }


def test_new_rows_are_inserted_and_returned_as_inserted(constants: dict[str, Any]):
    with transaction.atomic():
        written = copy_upsert(PLAN, [("a", "Alpha", "Ann", "{}"), ("b", "Beta", "Bob", "{}")], constants)

    assert sorted((row.values, row.inserted) for row in written) == [(("a", "Alpha"), True), (("b", "Beta"), True)]
    assert BankAccount.objects.filter(connection_id=constants["connection_id"]).count() == 2


def test_a_replay_writes_nothing_and_a_change_is_updated_with_its_previous_values(constants: dict[str, Any]):
    with transaction.atomic():
        copy_upsert(PLAN, [("a", "Alpha", "Ann", "{}"), ("b", "Beta", "Bob", "{}")], constants)
        replayed = copy_upsert(PLAN, [("a", "Alpha", "Ann", "{}"), ("b", "Beta", "Bob", "{}")], constants)
        changed = copy_upsert(PLAN, [("a", "Alpha", "Ann", "{}"), ("b", "Bravo", "Bob", "{}")], constants)

    assert replayed == []
    assert [(row.values, row.previous) for row in changed] == [(("b", "Bravo"), ("Beta",))]
    assert BankAccount.objects.get(connection_id=constants["connection_id"], external_id="b").name == "Bravo"


def test_a_column_left_out_of_the_comparison_does_not_cause_an_update(constants: dict[str, Any]):
    with transaction.atomic():
        copy_upsert(PLAN, [("a", "Alpha", "Ann", "{}")], constants)
        written = copy_upsert(PLAN, [("a", "Alpha", "Someone else", "{}")], constants)

    assert written == []
    assert BankAccount.objects.get(connection_id=constants["connection_id"]).holder_name == "Ann"


def test_text_with_tabs_line_ends_and_backslashes_and_nulls_arrive_intact(constants: dict[str, Any]):
    awkward = 'Tab\there\nnew line\r\\N and a \\ backslash "quoted"'
    with transaction.atomic():
        copy_upsert(PLAN, [("a", awkward, "", "{}")], constants)

    stored = BankAccount.objects.get(connection_id=constants["connection_id"])
    assert (stored.name, stored.holder_name) == (awkward, "")


def test_copy_insert_writes_new_rows_with_the_constants(constants: dict[str, Any]):
    with transaction.atomic():
        count = copy_insert(PLAN, [("a", "Tab\there", "Ann", "{}"), ("b", "Beta", "", '{"k": 1}')], constants)

    stored = BankAccount.objects.filter(connection_id=constants["connection_id"]).order_by("external_id")
    assert count == 2
    assert [(row.name, row.holder_name, row.raw, row.organization_id) for row in stored] == [
        ("Tab\there", "Ann", {}, constants["organization_id"]),
        ("Beta", "", {"k": 1}, constants["organization_id"]),
    ]


def test_copy_insert_of_an_existing_key_raises_and_writes_none_of_its_rows(constants: dict[str, Any]):
    with transaction.atomic():
        copy_insert(PLAN, [("a", "Alpha", "Ann", "{}")], constants)
        with pytest.raises(IntegrityError), transaction.atomic():
            copy_insert(PLAN, [("b", "Beta", "Bob", "{}"), ("a", "Again", "Ann", "{}")], constants)

    assert list(
        BankAccount.objects.filter(connection_id=constants["connection_id"]).values_list("name", flat=True)
    ) == ["Alpha"]
