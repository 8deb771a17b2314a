"""What is open in the books today, as the overview and the forecast read it: the open invoices'
balances by the day they are expected, what of them is overdue, and the open bills by due date.

These are the dashboards' most expensive reads (the expected days average a year of paid
invoices per client) and they depend on neither the bank accounts chosen nor the language, so
they are computed once per organisation, currency, data version and day, and kept under that
key for a day: a new version or a new day is a new key, so a kept copy is never stale. After
each data-version bump a background task (dashboards.tasks) computes them, so the first request
after new data finds them ready.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import Count, Sum
from django.utils import timezone

from banking.models import Bill
from dashboards.state import cache_key, cached
from invoices.models import OPEN_STATUSES, Invoice, InvoiceStatus
from invoices.money import round_cents

DELAY_HISTORY_DAYS = 365
Amounts = dict[datetime.date, Decimal]

# Open invoices' balances by the day they are expected, in one statement: each client's average
# delay in whole days (halves away from zero) over the invoices it paid since `since` (by the
# stored `paid_on`, indexed), added to each open invoice's due date, never before tomorrow. The
# database returns a row a day; the ORM's two queries moved 6,600 rows (~45 ms at 50,000
# invoices, where this takes ~15 ms). The dialects differ only in date arithmetic.
RECEIVABLES_SQL = """
WITH delays AS (
    SELECT client_id, ROUND(AVG({days_late})) AS days
    FROM {invoices}
    WHERE organization_id = %(organization)s AND is_active AND status = %(paid)s
        AND currency = %(currency)s AND paid_on >= %(since)s
    GROUP BY client_id
)
SELECT {expected} AS day, SUM(invoice.balance_due) AS total
FROM {invoices} AS invoice LEFT JOIN delays ON delays.client_id = invoice.client_id
WHERE invoice.organization_id = %(organization)s AND invoice.is_active
    AND invoice.status IN ({open_statuses})
    AND invoice.currency = %(currency)s AND invoice.balance_due > 0
GROUP BY 1
"""
RECEIVABLES_DIALECTS = {
    "postgresql": {
        "days_late": "paid_on - due_date",
        "expected": "GREATEST(invoice.due_date + COALESCE(delays.days, 0)::integer, %(tomorrow)s::date)",
    },
    "sqlite": {
        "days_late": "julianday(paid_on) - julianday(due_date)",
        "expected": "MAX(date(invoice.due_date, printf('%%+d days', CAST(COALESCE(delays.days, 0) AS INTEGER))), "
        "%(tomorrow)s)",
    },
}


def expected_receivables(organization_id: int, currency: str, tomorrow: datetime.date) -> Amounts:
    """Open invoices' balances by the day they are expected: due date plus the client's average
    delay over the last year (0 without history), and never before tomorrow (money overdue
    today is not in the bank yet)."""
    since = timezone.localdate() - datetime.timedelta(days=DELAY_HISTORY_DAYS)
    open_statuses = {f"open_{number}": str(status) for number, status in enumerate(OPEN_STATUSES)}
    sql = RECEIVABLES_SQL.format(
        invoices=Invoice._meta.db_table,
        open_statuses=", ".join(f"%({name})s" for name in open_statuses),
        **RECEIVABLES_DIALECTS[connection.vendor],
    )
    params: dict[str, str | int] = {
        "organization": organization_id,
        "currency": currency,
        "since": since.isoformat(),
        "tomorrow": tomorrow.isoformat(),
        "paid": str(InvoiceStatus.PAID),
        **open_statuses,
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    # SQLite answers dates as text and sums as floats.
    return {
        day if isinstance(day, datetime.date) else datetime.date.fromisoformat(day): round_cents(Decimal(total))
        for day, total in rows
    }


# Long enough for a quiet day; the key moves with every write and every day anyway.
KEEP_SECONDS = 24 * 3600


@dataclass(frozen=True)
class BillsDue:
    """The open bills (those the figures count) due on one day; None: no due date."""

    due_date: datetime.date | None
    total: Decimal
    count: int


@dataclass(frozen=True)
class OpenItems:
    currency: str
    today: datetime.date
    # Open invoices' balances by the day they are expected (see forecast.expected_receivables).
    receivables_by_day: dict[datetime.date, Decimal]
    overdue_receivables_total: Decimal
    overdue_receivables_count: int
    bills: tuple[BillsDue, ...]

    @property
    def bills_total(self) -> Decimal:
        return sum((due.total for due in self.bills), Decimal("0.00"))

    @property
    def bills_count(self) -> int:
        return sum(due.count for due in self.bills)

    @property
    def bills_overdue_total(self) -> Decimal:
        return sum(
            (due.total for due in self.bills if due.due_date is not None and due.due_date < self.today),
            Decimal("0.00"),
        )


def open_bills_by_due_date(organization_id: int, currency: str) -> tuple[BillsDue, ...]:
    """Open bills that the figures count, summed per due date: one query for the forecast's
    money out and the overview's payables."""
    grouped = (
        Bill.objects.filter(organization_id=organization_id, currency=currency)
        .open()
        .counted()
        .order_by()
        .values("due_date")
        .annotate(total=Sum("open_amount"), count=Count("pk"))
        .values_list("due_date", "total", "count")
    )
    # SQLite sums decimals as floats: back to the cent per day (each bill is in cents).
    return tuple(BillsDue(due_date, round_cents(Decimal(total)), count) for due_date, total, count in grouped)


def overdue_receivables(organization_id: int, currency: str, today: datetime.date) -> tuple[Decimal, int]:
    """Open invoices overdue today: their balance and how many."""
    overdue = Invoice.objects.filter(organization_id=organization_id, currency=currency).open()
    totals = overdue.filter(due_date__lt=today).order_by().aggregate(total=Sum("balance_due"), count=Count("pk"))
    return round_cents(Decimal(totals["total"] or 0)), int(totals["count"])


def compute_open_items(organization_id: int, currency: str, today: datetime.date) -> OpenItems:
    overdue_total, overdue_count = overdue_receivables(organization_id, currency, today)
    return OpenItems(
        currency=currency,
        today=today,
        receivables_by_day=expected_receivables(organization_id, currency, today + datetime.timedelta(days=1)),
        overdue_receivables_total=overdue_total,
        overdue_receivables_count=overdue_count,
        bills=open_bills_by_due_date(organization_id, currency),
    )


def open_items_key(organization_id: int, version: int, currency: str) -> str:
    return cache_key(organization_id, version, "open_items", currency, per_language=False)


def open_items(organization_id: int, version: int, currency: str, today: datetime.date) -> OpenItems:
    """The open items under this data version: kept, or computed now and kept."""
    return cached(
        open_items_key(organization_id, version, currency),
        lambda: compute_open_items(organization_id, currency, today),
        seconds=KEEP_SECONDS,
    )
