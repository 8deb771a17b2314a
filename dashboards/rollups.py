"""Daily and monthly rollups of booked bank transactions: what the charts read.

`refresh` recomputes the rollup rows of the (account, day) pairs a write touched, inside the
writer's transaction; `rebuild` recomputes an organisation's rollups from scratch.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import connection as database
from django.db import transaction
from django.db.models import Case, Count, DecimalField, F, Min, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce, Left, NullIf, Trim, TruncMonth

from banking.models import BankTransaction, TransactionStatus
from core.months import month_start, next_month
from dashboards.models import CounterpartyRollup, DailyRollup
from dashboards.models.rollups import FlowTotals

ZERO = Value(Decimal("0.00"), output_field=DecimalField(max_digits=18, decimal_places=2))
UNKNOWN_COUNTERPARTY = "(no counterparty)"
# A rollup's totals, from the columns of sums().
_TOTALS = {"inflow": "inflow_sum", "outflow": "outflow_sum", "count": "row_count"}


def sums() -> dict[str, Any]:
    money: Any = DecimalField(max_digits=18, decimal_places=2)
    return {
        "inflow_sum": Coalesce(Sum(Case(When(amount__gt=0, then=F("amount")), default=ZERO, output_field=money)), ZERO),
        "outflow_sum": Coalesce(
            Sum(Case(When(amount__lt=0, then=-F("amount")), default=ZERO, output_field=money)), ZERO
        ),
        "row_count": Count("pk"),
    }


def counterparty_expression() -> Coalesce:
    return Coalesce(
        NullIf(Trim("counterpart_name"), Value("")),
        NullIf(Trim("counterpart_iban"), Value("")),
        Value(UNKNOWN_COUNTERPARTY),
    )


def _booked(transactions: QuerySet[BankTransaction]) -> QuerySet[BankTransaction]:
    return transactions.filter(status=TransactionStatus.BOOKED, execution_date__isnull=False)


def _insert_grouped(
    model: type[FlowTotals], organization_id: int, grouped: QuerySet[Any], columns: dict[str, str]
) -> None:
    """INSERT … SELECT: the database groups and writes the rollup rows, none pass through Python.
    `columns` maps each of the model's columns to the name of a column of `grouped`."""
    query, params = grouped.query.sql_with_params()
    quote = database.ops.quote_name
    targets = ", ".join(quote(column) for column in ["organization_id", *columns])
    sources = ", ".join(f"grouped.{quote(source)}" for source in columns.values())
    # Only the models' own names and the ORM's compiled query are formatted in; values are parameters.
    statement = f"INSERT INTO {quote(model._meta.db_table)} ({targets}) SELECT %s, {sources} FROM ({query}) AS grouped"  # noqa: S608
    with database.cursor() as cursor:
        cursor.execute(statement, [organization_id, *params])


def _insert_daily(organization_id: int, transactions: QuerySet[BankTransaction]) -> None:
    grouped = _booked(transactions).values("account_id", "execution_date", "category", "currency").annotate(**sums())
    columns = {"account_id": "account_id", "day": "execution_date", "category": "category", "currency": "currency"}
    _insert_grouped(DailyRollup, organization_id, grouped, {**columns, **_TOTALS})


def _insert_counterparties(organization_id: int, transactions: QuerySet[BankTransaction]) -> None:
    # Names longer than the column are cut, which can merge two counterparties: their sums add up.
    grouped = (
        _booked(transactions)
        .annotate(month=TruncMonth("execution_date"), counterparty=Left(counterparty_expression(), 200))
        .values("account_id", "month", "counterparty")
        .annotate(currency_code=Min("currency"), **sums())
    )
    columns = {
        "account_id": "account_id",
        "month": "month",
        "counterparty": "counterparty",
        "currency": "currency_code",
    }
    _insert_grouped(CounterpartyRollup, organization_id, grouped, {**columns, **_TOTALS})


def refresh(organization_id: int, account_days: Iterable[tuple[int, datetime.date]]) -> None:
    """Recompute the rollups of these (account, day) pairs and of their months: one statement of
    each kind for all the accounts, not one per account."""
    days_by_account: dict[int, set[datetime.date]] = defaultdict(set)
    for account_id, day in account_days:
        days_by_account[account_id].add(day)
    if not days_by_account:
        return
    # Accounts written on the same days (every ledger of a Yuki month) share one condition.
    accounts_by_days: dict[frozenset[datetime.date], list[int]] = defaultdict(list)
    for account_id, days in days_by_account.items():
        accounts_by_days[frozenset(days)].append(account_id)
    rollup_days, on_days, rollup_months, in_months = Q(), Q(), Q(), Q()
    for shared_days, accounts in accounts_by_days.items():
        months = {month_start(day) for day in shared_days}
        rollup_days |= Q(account_id__in=accounts, day__in=shared_days)
        on_days |= Q(account_id__in=accounts, execution_date__in=shared_days)
        rollup_months |= Q(account_id__in=accounts, month__in=months)
        for month in months:
            in_months |= Q(account_id__in=accounts, execution_date__gte=month, execution_date__lt=next_month(month))
    with transaction.atomic():
        DailyRollup.objects.filter(rollup_days).delete()
        CounterpartyRollup.objects.filter(rollup_months).delete()
        _insert_daily(organization_id, BankTransaction.objects.filter(on_days))
        _insert_counterparties(organization_id, BankTransaction.objects.filter(in_months))


def rebuild_daily(organization_id: int) -> None:
    with transaction.atomic():
        DailyRollup.objects.filter(organization_id=organization_id).delete()
        _insert_daily(organization_id, BankTransaction.objects.filter(organization_id=organization_id))


def rebuild(organization_id: int) -> None:
    """Recompute all of an organisation's rollups from its transactions."""
    with transaction.atomic():
        rebuild_daily(organization_id)
        CounterpartyRollup.objects.filter(organization_id=organization_id).delete()
        _insert_counterparties(organization_id, BankTransaction.objects.filter(organization_id=organization_id))
