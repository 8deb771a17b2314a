"""Receivables and payables aging as of today: open amounts by days past due, per client or
supplier and in total, the overdue totals and the days sales outstanding (DSO).

Everything is summed in SQL with filtered aggregates, so the cost grows with the number of
clients shown (at most TOP_PARTIES), never with the number of invoices or bills.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, DecimalField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from banking.models import Bill
from dashboards.charts import Chart, ChartData, Column, Context, layout, money_axis, register
from invoices.models import Invoice, InvoiceStatus
from invoices.models.invoices import OPEN_STATUSES
from invoices.money import ZERO, round_cents

TOP_PARTIES = 20
DSO_DAYS = 90
OTHER_CLIENTS = _("Other clients")
OTHER_SUPPLIERS = _("Other suppliers")


@dataclass(frozen=True)
class Bucket:
    key: str
    label: str | Promise
    first_day: int  # days past due, inclusive; 0 is "not yet due"
    last_day: int | None  # inclusive; None: no upper bound
    color: str

    def condition(self, today: datetime.date, field: str = "due_date") -> Q:
        """The rows whose due date falls in this bucket (no due date at all counts as not yet due)."""
        if self.first_day == 0:
            return Q(**{f"{field}__gte": today}) | Q(**{f"{field}__isnull": True})
        condition = Q(**{f"{field}__lte": today - datetime.timedelta(days=self.first_day)})
        if self.last_day is not None:
            condition &= Q(**{f"{field}__gte": today - datetime.timedelta(days=self.last_day)})
        return condition


BUCKETS = (
    Bucket("current", _("Not yet due"), 0, 0, "#2e7d32"),
    Bucket("1_30", _("1-30 days"), 1, 30, "#f9a825"),
    Bucket("31_60", _("31-60 days"), 31, 60, "#ef6c00"),
    Bucket("61_90", _("61-90 days"), 61, 90, "#d84315"),
    Bucket("over_90", _("Over 90 days"), 91, None, "#b71c1c"),
)
BUCKETS_BY_KEY = {bucket.key: bucket for bucket in BUCKETS}
MONEY_KEYS = [*BUCKETS_BY_KEY, "total"]


def bucket_columns() -> list[Column]:
    """A column per bucket, then the open total, in the active language."""
    return [
        *(Column(bucket.key, str(bucket.label), "money") for bucket in BUCKETS),
        Column("total", gettext("Open"), "money"),
    ]


def overdue(today: datetime.date, field: str = "due_date") -> Q:
    return Q(**{f"{field}__lt": today})


def _money(expression: Sum) -> Coalesce:
    return Coalesce(expression, Value(ZERO), output_field=DecimalField(max_digits=18, decimal_places=2))


def _bucket_sums(amount: str, today: datetime.date, within: Q | None = None) -> dict[str, Any]:
    """Aggregates of `amount` per bucket, in total, and how many rows, of the rows `within`."""
    base = within if within is not None else Q()
    sums: dict[str, Any] = {
        bucket.key: _money(Sum(amount, filter=base & bucket.condition(today))) for bucket in BUCKETS
    }
    # Not named "total": an invoice has a field of that name.
    return {**sums, "open_sum": _money(Sum(amount, filter=base)), "count": Count("pk", filter=base)}


def _bucket_counts(today: datetime.date, within: Q | None = None) -> dict[str, Any]:
    base = within if within is not None else Q()
    return {f"{bucket.key}_count": Count("pk", filter=base & bucket.condition(today)) for bucket in BUCKETS}


def _clean(row: dict[str, Any]) -> dict[str, Any]:
    """A row of sums from SQL as the chart shows it: `open_sum` as `total`, each amount back to the
    cent (SQLite adds decimals as floats; exact on PostgreSQL anyway)."""
    amounts = {key: round_cents(Decimal(row[key])) for key in BUCKETS_BY_KEY}
    other = {key: value for key, value in row.items() if key != "open_sum" and key not in amounts}
    return {**other, **amounts, "total": round_cents(Decimal(row["open_sum"])), "count": int(row["count"])}


def _rest(totals: dict[str, Any], shown: list[dict[str, Any]]) -> dict[str, Any]:
    """What the rows not shown add up to: the totals less the rows shown."""
    rest = {key: totals[key] - sum((row[key] for row in shown), ZERO) for key in MONEY_KEYS}
    return {**rest, "count": totals["count"] - sum(row["count"] for row in shown)}


def _party_rows(
    grouped: QuerySet[Any, dict[str, Any]], totals: dict[str, Any], parties: int, other: dict[str, Any]
) -> list[dict[str, Any]]:
    """The TOP_PARTIES largest rows of `grouped` (by open amount), then one row (`other`) for the rest."""
    rows = [_clean(row) for row in grouped[:TOP_PARTIES]]
    if parties > len(rows):
        rows.append({**other, **_rest(totals, rows)})
    return rows


def _summary(currency: str, today: datetime.date, totals: dict[str, Any]) -> dict[str, Any]:
    """What aging and payables share: totals and counts per bucket, the open and the overdue total."""
    clean = _clean(totals)
    return {
        "currency": currency,
        "as_of": today,
        "buckets": {bucket.key: clean[bucket.key] for bucket in BUCKETS},
        "bucket_counts": {bucket.key: int(totals[f"{bucket.key}_count"]) for bucket in BUCKETS},
        "total": clean["total"],
        "count": clean["count"],
        "overdue_total": round_cents(Decimal(totals["overdue_total"])),
        "overdue_count": int(totals["overdue_count"]),
    }


def open_invoices(organization_id: int, currency: str) -> QuerySet[Invoice]:
    """The receivables: open invoices (not drafts, paid, cancelled or deleted) in this currency."""
    return Invoice.objects.filter(organization_id=organization_id, currency=currency).open()


def _dso(receivables: Decimal, sales: Decimal) -> Decimal | None:
    if sales <= 0:
        return None
    return (receivables / sales * DSO_DAYS).quantize(Decimal("0.1"), ROUND_HALF_UP)


def compute_aging(context: Context) -> ChartData:
    today, currency = context.today, context.filters.currency
    by_client = (
        open_invoices(context.organization_id, currency)
        .order_by()
        .values("client_id", "client__name")
        .annotate(**_bucket_sums("balance_due", today))
        .order_by("-open_sum", "client__name", "client_id")
    )
    is_open = Q(status__in=OPEN_STATUSES)
    sold_from = today - datetime.timedelta(days=DSO_DAYS - 1)
    is_sale = Q(issue_date__range=(sold_from, today)) & ~Q(status__in=(InvoiceStatus.DRAFT, InvoiceStatus.CANCELLED))
    # One pass over the invoices of the currency: the open ones for the aging, the ones issued
    # in the last DSO_DAYS days (today included) for the sales.
    totals = (
        Invoice.objects.filter(organization_id=context.organization_id, currency=currency)
        .filter(is_open | is_sale)
        .aggregate(
            **_bucket_sums("balance_due", today, is_open),
            **_bucket_counts(today, is_open),
            overdue_total=_money(Sum("balance_due", filter=is_open & overdue(today))),
            overdue_count=Count("pk", filter=is_open & overdue(today)),
            clients=Count("client_id", filter=is_open, distinct=True),
            sales=_money(Sum("total", filter=is_sale)),
        )
    )
    summary = _summary(currency, today, totals)
    sales = round_cents(Decimal(totals["sales"]))
    other = {"client_id": None, "client__name": str(OTHER_CLIENTS)}
    rows = [
        {"client_id": row.pop("client_id"), "client": row.pop("client__name"), **row}
        for row in _party_rows(by_client, _clean(totals), totals["clients"], other)
    ]
    return ChartData(
        name="aging",
        title=gettext("Receivables aging"),
        columns=[
            Column("client", gettext("Client")),
            *bucket_columns(),
            Column("count", gettext("Invoices"), "number"),
        ],
        rows=rows,
        summary={
            **summary,
            "clients": totals["clients"],
            "sales_last_90_days": sales,
            "dso_days": _dso(summary["total"], sales),
        },
    )


def compute_payables(context: Context) -> ChartData:
    today, currency = context.today, context.filters.currency
    bills = Bill.objects.filter(organization_id=context.organization_id, currency=currency).open().counted().order_by()
    by_supplier = (
        bills.values("supplier").annotate(**_bucket_sums("open_amount", today)).order_by("-open_sum", "supplier")
    )
    totals = bills.aggregate(
        **_bucket_sums("open_amount", today),
        **_bucket_counts(today),
        overdue_total=_money(Sum("open_amount", filter=overdue(today))),
        overdue_count=Count("pk", filter=overdue(today)),
        suppliers=Count("supplier", distinct=True),
    )
    return ChartData(
        name="payables",
        title=gettext("Payables aging"),
        columns=[
            Column("supplier", gettext("Supplier")),
            *bucket_columns(),
            Column("count", gettext("Bills"), "number"),
        ],
        rows=_party_rows(by_supplier, _clean(totals), totals["suppliers"], {"supplier": str(OTHER_SUPPLIERS)}),
        summary={**_summary(currency, today, totals), "suppliers": totals["suppliers"]},
    )


def _draw_buckets(title: str, data: ChartData, context: Context) -> dict[str, Any]:
    """One bar per bucket: the open amount, with how many documents in the hover text."""
    buckets, counts = data.summary["buckets"], data.summary["bucket_counts"]
    amounts = [buckets[bucket.key] for bucket in BUCKETS]
    # plotly's own syntax around the translated words: %{x} the bucket, %{y} the amount.
    hover = gettext("%(bucket)s: %(amount)s (%(count)s open)") % {
        "bucket": "%{x}",
        "amount": "%{y:,.2f}",
        "count": "%{customdata}",
    }
    return {
        "data": [
            {
                "type": "bar",
                "name": gettext("Open amount"),
                "x": [str(bucket.label) for bucket in BUCKETS],
                "y": amounts,
                "customdata": [counts[bucket.key] for bucket in BUCKETS],
                "hovertemplate": hover + "<extra></extra>",
                "marker": {"color": [bucket.color for bucket in BUCKETS]},
            }
        ],
        "layout": layout(
            title, hovermode="closest", showlegend=False, yaxis=money_axis(context.filters.currency, amounts)
        ),
    }


def draw_aging(data: ChartData, context: Context) -> dict[str, Any]:
    return _draw_buckets(gettext("Receivables by days past due"), data, context)


def draw_payables(data: ChartData, context: Context) -> dict[str, Any]:
    return _draw_buckets(gettext("Payables by days past due"), data, context)


register(
    Chart(
        "aging",
        _("Receivables aging"),
        _(
            "Open invoices by days past due, per client and in total, with "
            "the overdue total and the days sales outstanding."
        ),
        compute_aging,
        draw_aging,
        _("No open invoices: nobody owes you money right now."),
    )
)
register(
    Chart(
        "payables",
        _("Payables aging"),
        _("Open bills by days past due, per supplier and in total, with the overdue total."),
        compute_payables,
        draw_payables,
        _("No open bills to pay."),
    )
)
