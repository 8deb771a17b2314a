"""The COPY upsert of ledger lines (PostgreSQL) and the ORM upsert store the same rows for the
same Yuki lines: new lines, a replay, a correction, a line moved to another account and day,
a line of an account not read, the run's counts and the rollups of the days left behind."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection as database
from django.db import transaction

from banking.models import BankAccount, BankTransaction
from core.models import Organization
from dashboards.models import DailyRollup
from integrations.models import Provider, SyncRun
from integrations.yuki.client import GLTransaction
from integrations.yuki.sync import YukiSync, _ledger_lines
from tests.factories import OrganizationFactory, make_connection

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(database.vendor != "postgresql", reason="the COPY path is PostgreSQL's"),
]

Path = Callable[[YukiSync, dict[str, BankAccount], list[GLTransaction]], None]
COMPARED = ["external_id", "account__external_id", "status", "value_date", "execution_date", "amount", "currency"]
COMPARED += ["counterpart_name", "counterpart_iban", "remittance_information", "description", "category", "raw"]


def line(number: int, day: int, amount: str, code: str = "550000", **fields: Any) -> GLTransaction:
    values: dict[str, Any] = {
        "id": f"gl-{number}",
        "date": datetime.date(2026, 3, day),
        "description": "Factuur\tmaart \\ 2026",
        "amount": Decimal(amount),
        "contact": "Énergie NV",
        "contact_id": None,
        "gl_account_code": code,
    }
    return GLTransaction(**{**values, **fields})


def by_copy(sync: YukiSync, accounts: dict[str, BankAccount], lines: list[GLTransaction]) -> None:
    sync._upsert_ledger_by_copy(_ledger_lines(accounts, lines))


def by_orm(sync: YukiSync, accounts: dict[str, BankAccount], lines: list[GLTransaction]) -> None:
    sync._upsert_ledger_by_orm(_ledger_lines(accounts, lines))


def history(path: Path, organization: Organization) -> tuple[int, list[tuple[int, int, int]]]:
    link = make_connection(organization, provider=Provider.YUKI, config={"administration_id": "admin-1"})
    sync = YukiSync(link, SyncRun.objects.create(connection=link))
    accounts = {code: sync._bank_account(code) for code in ("550000", "570000")}
    first = [line(1, 2, "120.50"), line(2, 2, "-19.99"), line(3, 3, "7.00"), line(9, 3, "5.00", code="700000")]
    corrected = [
        line(1, 2, "120.50", description="Corrected"),
        line(2, 2, "-19.99"),
        line(3, 9, "7.00", code="570000"),  # moved to the cash account and another day
    ]
    counts = []
    for lines in (first, first, corrected, [*corrected, line(4, 9, "0.01")]):
        before = (sync.run.rows_added, sync.run.rows_updated, sync.run.rows_unchanged)
        with transaction.atomic():
            path(sync, accounts, lines)
        after = (sync.run.rows_added, sync.run.rows_updated, sync.run.rows_unchanged)
        counts.append((after[0] - before[0], after[1] - before[1], after[2] - before[2]))
    return link.pk, counts


def stored(connection_id: int) -> list[tuple[Any, ...]]:
    rows = BankTransaction.objects.filter(connection_id=connection_id).order_by("external_id")
    return [tuple(row) for row in rows.values_list(*COMPARED)]


def rollups(connection_id: int) -> list[tuple[Any, ...]]:
    rows = DailyRollup.objects.filter(account__connection_id=connection_id).order_by("account__external_id", "day")
    return [tuple(row) for row in rows.values_list("account__external_id", "day", "inflow", "outflow", "count")]


def test_the_copy_path_and_the_orm_path_store_the_same_ledger_rows_counts_and_rollups():
    organization = OrganizationFactory.create()

    copied, copy_counts = history(by_copy, organization)
    mapped, orm_counts = history(by_orm, organization)

    assert copy_counts == orm_counts == [(3, 0, 0), (0, 0, 3), (0, 2, 1), (1, 0, 3)]
    assert stored(copied) == stored(mapped)
    assert [row[:2] for row in stored(copied)] == [
        ("gl-1", "gl:550000"),
        ("gl-2", "gl:550000"),
        ("gl-3", "gl:570000"),
        ("gl-4", "gl:550000"),
    ]
    assert rollups(copied) == rollups(mapped)
    days = {(code, day.day) for code, day, *_ in rollups(copied)}
    assert days == {("gl:550000", 2), ("gl:550000", 9), ("gl:570000", 9)}  # 3 March left behind
