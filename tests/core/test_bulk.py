"""core.bulk.copy_upsert on PostgreSQL: inserts, leaves unchanged rows alone, updates what
differs and tells what each updated row was before."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection, transaction

from banking.models import BankAccount
from core.bulk import UpsertPlan, copy_upsert
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
