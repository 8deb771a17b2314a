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

from django.db import transaction
from django.db.models import Case, Count, DecimalField, F, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce, NullIf, Trim, TruncMonth

from banking.models import BankTransaction, TransactionStatus
from core.months import month_start, next_month
from dashboards.models import CounterpartyRollup, DailyRollup

ZERO = Value(Decimal("0.00"), output_field=DecimalField(max_digits=18, decimal_places=2))
UNKNOWN_COUNTERPARTY = "(no counterparty)"


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


def _daily_rows(organization_id: int, transactions: QuerySet[BankTransaction]) -> list[DailyRollup]:
    rows = _booked(transactions).values("account_id", "execution_date", "category", "currency").annotate(**sums())
    return [
        DailyRollup(
            organization_id=organization_id,
            account_id=row["account_id"],
            day=row["execution_date"],
            category=row["category"],
            currency=row["currency"],
            inflow=row["inflow_sum"],
            outflow=row["outflow_sum"],
            count=row["row_count"],
        )
        for row in rows
    ]


def _counterparty_rows(organization_id: int, transactions: QuerySet[BankTransaction]) -> list[CounterpartyRollup]:
    rows = (
        _booked(transactions)
        .annotate(month=TruncMonth("execution_date"), counterparty=counterparty_expression())
        .values("account_id", "month", "counterparty", "currency")
        .annotate(**sums())
    )
    merged: dict[tuple[int, datetime.date, str], CounterpartyRollup] = {}
    for row in rows:
        # Rows of one counterparty in two currencies on one account cannot exist; names longer than
        # the column are cut, which can merge two of them: add them up rather than collide.
        name = row["counterparty"][:200]
        key = (row["account_id"], row["month"], name)
        if key in merged:
            merged[key].inflow += row["inflow_sum"]
            merged[key].outflow += row["outflow_sum"]
            merged[key].count += row["row_count"]
            continue
        merged[key] = CounterpartyRollup(
            organization_id=organization_id,
            account_id=row["account_id"],
            month=row["month"],
            counterparty=name,
            currency=row["currency"],
            inflow=row["inflow_sum"],
            outflow=row["outflow_sum"],
            count=row["row_count"],
        )
    return list(merged.values())


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
        daily = _daily_rows(organization_id, BankTransaction.objects.filter(on_days))
        monthly = _counterparty_rows(organization_id, BankTransaction.objects.filter(in_months))
        DailyRollup.objects.bulk_create(daily, batch_size=2000)
        CounterpartyRollup.objects.bulk_create(monthly, batch_size=2000)


def rebuild_daily(organization_id: int) -> None:
    with transaction.atomic():
        DailyRollup.objects.filter(organization_id=organization_id).delete()
        DailyRollup.objects.bulk_create(
            _daily_rows(organization_id, BankTransaction.objects.filter(organization_id=organization_id)),
            batch_size=2000,
        )


def rebuild(organization_id: int) -> None:
    """Recompute all of an organisation's rollups from its transactions."""
    with transaction.atomic():
        rebuild_daily(organization_id)
        CounterpartyRollup.objects.filter(organization_id=organization_id).delete()
        CounterpartyRollup.objects.bulk_create(
            _counterparty_rows(organization_id, BankTransaction.objects.filter(organization_id=organization_id)),
            batch_size=2000,
        )
