"""The COPY upsert (PostgreSQL), the plain COPY of rows believed new (falling back to the
upsert when one exists) and the ORM upsert store the same rows for the same input:
new rows, a replay, a correction, an update where only the digest changes, a row whose day
moved, categories by the organisation's rules and the rollups of the days left behind."""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection as database
from django.db import transaction

from banking import categories
from banking.ingest import IncomingTransaction, UpsertCounts, upsert_by_copy, upsert_by_orm, upsert_transactions
from banking.models import BankAccount, BankTransaction, CategoryRule, TransactionStatus
from core.models import Organization
from dashboards.models import DailyRollup
from integrations.ponto.sync import incoming_transaction
from tests.factories import OrganizationFactory, make_bank_account

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(database.vendor != "postgresql", reason="the COPY path is PostgreSQL's"),
]

Upsert = Callable[[Any, BankAccount, str, Sequence[IncomingTransaction]], UpsertCounts]
COMPARED = ["external_id", "status", "value_date", "execution_date", "amount", "currency", "counterpart_name"]
COMPARED += ["counterpart_iban", "remittance_information", "remittance_information_type", "bank_transaction_code"]
COMPARED += ["description", "category", "raw", "raw_digest", "organization_id"]


def resource(number: int, day: str, amount: str, **attributes: Any) -> dict[str, Any]:
    return {
        "type": "transaction",
        "id": f"tx-{number}",
        "attributes": {
            "executionDate": f"{day}T10:00:00.000Z",
            "valueDate": f"{day}T10:00:00.000Z",
            "amount": Decimal(amount),
            "currency": "EUR",
            "counterpartName": "Énergie\tNV",
            "counterpartReference": "BE71096123456769",
            "remittanceInformation": "line one\nline \\ two",
            "remittanceInformationType": "unstructured",
            "description": "Wire transfer",
            **attributes,
        },
    }


def believed_new(
    connection: Any, account: BankAccount, status: str, rows: Sequence[IncomingTransaction]
) -> UpsertCounts:
    return upsert_transactions(connection, account, status, rows, probably_new=True)


def upsert(path: Upsert, account: BankAccount, resources: list[dict[str, Any]]) -> tuple[int, int, int]:
    with transaction.atomic():
        counts = path(
            account.connection, account, TransactionStatus.BOOKED, [incoming_transaction(r) for r in resources]
        )
    return counts.added, counts.updated, counts.unchanged


def stored(account: BankAccount) -> list[tuple[Any, ...]]:
    rows = BankTransaction.objects.filter(account=account).order_by("external_id").values_list(*COMPARED)
    return [tuple(row) for row in rows]


def rollups(account: BankAccount) -> list[tuple[Any, ...]]:
    rows = DailyRollup.objects.filter(account=account).order_by("day", "category")
    return [tuple(row) for row in rows.values_list("day", "category", "inflow", "outflow", "count")]


def history(path: Upsert, organization: Organization) -> tuple[BankAccount, list[tuple[int, int, int]]]:
    account = make_bank_account(organization)
    first = [resource(1, "2026-03-02", "120.50"), resource(2, "2026-03-02", "-19.99"), resource(3, "2026-03-03", "7")]
    corrected = copy.deepcopy(first)
    corrected[0]["attributes"]["counterpartName"] = "Renamed NV"  # a correction
    corrected[1]["attributes"]["internalReference"] = "only the raw copy differs"  # only the digest changes
    corrected[2]["attributes"]["executionDate"] = "2026-03-09T10:00:00.000Z"  # the row moves to another day
    counts = [
        upsert(path, account, first),
        upsert(path, account, first),  # a replay changes nothing
        upsert(path, account, corrected),
        upsert(path, account, [*corrected, resource(4, "2026-03-09", "0.01")]),
    ]
    return account, counts


def test_the_copy_path_and_the_orm_path_store_the_same_rows_counts_and_rollups():
    organization = OrganizationFactory.create()
    CategoryRule.objects.create(organization=organization, category="Energy", field="counterpart_name", value="énergie")
    CategoryRule.objects.create(
        organization=organization, category="Renamed", field="counterpart_name", value="renamed"
    )

    by_copy, copy_counts = history(upsert_by_copy, organization)
    by_orm, orm_counts = history(upsert_by_orm, organization)
    by_insert, insert_counts = history(believed_new, organization)
    categories.categorize_uncategorized(organization.pk)  # as banking.pipeline does after a sync

    assert copy_counts == orm_counts == insert_counts == [(3, 0, 0), (0, 0, 3), (0, 3, 0), (1, 0, 3)]
    assert stored(by_copy) == stored(by_orm) == stored(by_insert)
    assert rollups(by_insert) == rollups(by_orm)
    assert [row[COMPARED.index("category")] for row in stored(by_copy)] == ["Renamed", "Energy", "Energy", "Energy"]
    assert rollups(by_copy) == rollups(by_orm)
    assert {day.isoformat() for day, *_ in rollups(by_copy)} == {"2026-03-02", "2026-03-09"}  # 3 March left behind
