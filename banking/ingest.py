"""Writing bank transactions, for every provider: one path, which keeps the daily rollups and the
dashboards' data version with every change. Categorising follows in banking.pipeline."""

from __future__ import annotations

import datetime
from collections.abc import Collection, Iterable

from django.db.models import QuerySet

from banking.models import BankTransaction
from dashboards import rollups
from dashboards.state import bump

AccountDay = tuple[int, datetime.date]


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
