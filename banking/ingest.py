"""Writing bank transactions, for every provider: one path, which keeps the daily rollups and the
dashboards' data version with every change. Categorising follows in banking.pipeline."""

from __future__ import annotations

import datetime
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.db import IntegrityError, transaction
from django.db import connection as database
from django.db.models import QuerySet
from django.utils import timezone

from banking.models import BankAccount, BankTransaction
from core.bulk import UpsertPlan, WrittenRow, copy_insert, copy_upsert
from dashboards import rollups
from dashboards.state import bump
from integrations.models import Connection

AccountDay = tuple[int, datetime.date]

# The columns a provider's mapping gives each transaction, besides its id and raw copy.
MAPPED_FIELDS = (
    "value_date",
    "execution_date",
    "amount",
    "currency",
    "counterpart_name",
    "counterpart_iban",
    "remittance_information",
    "remittance_information_type",
    "bank_transaction_code",
    "description",
)
# What an upsert by (connection, external id) writes over an existing row.
UPSERTED_FIELDS = ("account", "status", *MAPPED_FIELDS, "raw", "raw_digest")

_COPY_PLAN = UpsertPlan(
    table=BankTransaction._meta.db_table,
    columns=("external_id", *MAPPED_FIELDS, "raw_digest", "raw"),
    key=("connection_id", "external_id"),
    # A changed row loses its category: the pipeline after the sync puts it where its fields now match.
    update=("account_id", "status", *MAPPED_FIELDS, "raw", "raw_digest", "category", "updated_at"),
    # The digest stands for the whole raw resource, from which every mapped column comes.
    compare=("raw_digest", "account_id", "status"),
    returning=("id", "account_id", "execution_date"),
    previous=("account_id", "execution_date"),
)


class IncomingTransaction(NamedTuple):
    """A provider's transaction, mapped: `fields` holds MAPPED_FIELDS and `raw` (the resource),
    `raw_json` the resource as JSON text and `raw_digest` that text's digest."""

    external_id: str
    raw_digest: str
    raw_json: str
    fields: dict[str, Any]


@dataclass
class UpsertCounts:
    added: int = 0
    updated: int = 0
    unchanged: int = 0


def upsert_transactions(
    connection: Connection,
    account: BankAccount,
    status: str,
    rows: Sequence[IncomingTransaction],
    *,
    probably_new: bool = False,
) -> UpsertCounts:
    """Insert or update `rows` (one per external id) by (connection, external id); a row whose
    digest, account and status are unchanged is left alone. Call inside the sync's transaction.

    `probably_new` (an account's first walk, before it met a stored row): on PostgreSQL the rows
    are first tried with a plain COPY, and upserted only when one of them exists after all."""
    if database.vendor != "postgresql":
        return upsert_by_orm(connection, account, status, rows)
    if probably_new and insert_by_copy(connection, account, status, rows):
        return UpsertCounts(added=len(rows))
    return upsert_by_copy(connection, account, status, rows)


def _copy_constants(connection: Connection, account: BankAccount, status: str) -> dict[str, object]:
    now = timezone.now()
    return {
        "organization_id": connection.organization_id,
        "connection_id": connection.pk,
        "account_id": account.pk,
        "status": status,
        "category": "",  # banking.pipeline categorises after the sync
        "created_at": now,
        "updated_at": now,
    }


def _staged(rows: Iterable[IncomingTransaction]) -> Iterator[tuple[object, ...]]:
    return (
        (row.external_id, *[row.fields[name] for name in MAPPED_FIELDS], row.raw_digest, row.raw_json) for row in rows
    )


def insert_by_copy(
    connection: Connection, account: BankAccount, status: str, rows: Sequence[IncomingTransaction]
) -> bool:
    """PostgreSQL: COPY the rows straight into the table, in a savepoint; whether they were
    written (False: one of them exists, and nothing was)."""
    try:
        with transaction.atomic():
            copy_insert(_COPY_PLAN, _staged(rows), _copy_constants(connection, account, status))
    except IntegrityError:
        return False
    _announce(
        connection.organization_id,
        {(account.pk, row.fields["execution_date"]) for row in rows if row.fields["execution_date"]},
    )
    return True


def upsert_by_copy(
    connection: Connection, account: BankAccount, status: str, rows: Sequence[IncomingTransaction]
) -> UpsertCounts:
    """PostgreSQL: COPY into a staging table and one INSERT … ON CONFLICT (core.bulk)."""
    written = copy_upsert(_COPY_PLAN, _staged(rows), _copy_constants(connection, account, status))
    announce_written(connection.organization_id, written)
    added = sum(row.inserted for row in written)
    return UpsertCounts(added=added, updated=len(written) - added, unchanged=len(rows) - len(written))


def announce_written(organization_id: int, written: Sequence[WrittenRow]) -> None:
    """Refresh the figures of what a copy upsert wrote: its rows' returning values must be
    (id, account id, execution date) and their previous ones (account id, execution date)."""
    if written:
        _announce(organization_id, _days_of(written))


def _days_of(written: Iterable[WrittenRow]) -> set[AccountDay]:
    """The (account, day) pairs the written rows have, and had before an update."""
    days: set[AccountDay] = set()
    for row in written:
        _, account_id, day = row.values
        if day:
            days.add((account_id, day))
        if row.previous is not None and row.previous[1]:
            days.add((row.previous[0], row.previous[1]))
    return days


def upsert_by_orm(
    connection: Connection, account: BankAccount, status: str, rows: Sequence[IncomingTransaction]
) -> UpsertCounts:
    """Any database: read the existing rows, then bulk INSERT and UPDATE through the ORM."""
    existing = {
        row[0]: row[1:]
        for row in BankTransaction.objects.filter(
            connection=connection, external_id__in=[row.external_id for row in rows]
        ).values_list("external_id", "raw_digest", "account_id", "status", "pk", "execution_date")
    }
    counts = UpsertCounts()
    new: list[BankTransaction] = []
    changed: list[BankTransaction] = []
    previous_days: set[AccountDay] = set()
    for row in rows:
        known = existing.get(row.external_id)
        if known is not None and known[:3] == (row.raw_digest, account.pk, status):
            counts.unchanged += 1
            continue
        bank_transaction = BankTransaction(
            pk=known[3] if known else None,
            organization_id=connection.organization_id,
            connection=connection,
            account=account,
            external_id=row.external_id,
            status=status,
            raw_digest=row.raw_digest,
            **row.fields,
        )
        (changed if known else new).append(bank_transaction)
        if known and known[4]:
            previous_days.add((known[1], known[4]))
    save_transactions(connection.organization_id, new, changed, UPSERTED_FIELDS, previous_days)
    counts.added, counts.updated = len(new), len(changed)
    return counts


def save_transactions(
    organization_id: int,
    new: list[BankTransaction],
    changed: list[BankTransaction],
    fields: Iterable[str],
    previous_days: Collection[AccountDay] = (),
) -> None:
    """Insert `new`, update `fields` of `changed`; call inside the sync's transaction.

    `previous_days` are the (account, day) pairs the changed rows had before, so their
    figures are recomputed too when a row moved. A changed row loses its category: the
    pipeline after the sync puts it in the category its new fields match.
    """
    if not new and not changed:
        return
    for row in changed:
        row.category = ""
    BankTransaction.objects.bulk_create(new, batch_size=1000)
    BankTransaction.objects.bulk_update(changed, [*fields, "category"], batch_size=1000)
    days = set(previous_days) | {(row.account_id, row.execution_date) for row in [*new, *changed] if row.execution_date}
    _announce(organization_id, days)


def delete_transactions(organization_id: int, rows: QuerySet[BankTransaction]) -> int:
    days = {(account_id, day) for account_id, day in rows.values_list("account_id", "execution_date") if day}
    removed, _ = rows.delete()
    if removed:
        _announce(organization_id, days)
    return removed


def _announce(organization_id: int, days: set[AccountDay]) -> None:
    rollups.refresh(organization_id, days)
    bump(organization_id)
