"""Money in and out: per day, week or month; per counterparty; per category."""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet, Sum
from django.db.models.functions import TruncDay, TruncMonth, TruncWeek
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from banking.models import BankTransaction
from core.months import month_start, next_month
from dashboards import rollups
from dashboards.charts import (
    IN_COLOR,
    NET_COLOR,
    OUT_COLOR,
    Chart,
    ChartData,
    Column,
    Context,
    cents,
    layout,
    money_axis,
    register,
)
from dashboards.models import CounterpartyRollup, DailyRollup

ZERO = Decimal("0.00")
TOP_COUNTERPARTIES = 10
TRUNCATE = {"day": TruncDay, "week": TruncWeek, "month": TruncMonth}
PERIOD_FROM = {"day": _("Day"), "week": _("Week from"), "month": _("Month from")}


def flow_columns() -> list[Column]:
    return [
        Column("inflow", gettext("Money in"), "money"),
        Column("outflow", gettext("Money out"), "money"),
        Column("net", gettext("Net"), "money"),
        Column("count", gettext("Transactions"), "number"),
    ]


def period_rollups(context: Context) -> QuerySet[DailyRollup]:
    return DailyRollup.objects.filter(
        organization_id=context.organization_id,
        account_id__in=[a.pk for a in context.currency_accounts],
        day__gte=context.filters.start,
        day__lte=context.filters.end,
    )


def _flow_row(inflow: Decimal, outflow: Decimal, count: int) -> dict[str, Any]:
    inflow, outflow = cents(inflow), cents(outflow)
    return {"inflow": inflow, "outflow": outflow, "net": inflow - outflow, "count": count}


def compute_flows(context: Context) -> ChartData:
    truncate = TRUNCATE[context.filters.granularity]
    rows = [
        {"period": row["period"], **_flow_row(row["in_sum"], row["out_sum"], row["n"])}
        for row in period_rollups(context)
        .annotate(period=truncate("day"))
        .values("period")
        .annotate(in_sum=Sum("inflow"), out_sum=Sum("outflow"), n=Sum("count"))
        .order_by("period")
    ]
    for row in rows:  # TruncDay/Week/Month of a DateField give dates on PostgreSQL, datetimes elsewhere
        if isinstance(row["period"], datetime.datetime):
            row["period"] = row["period"].date()
    inflow = sum((r["inflow"] for r in rows), ZERO)
    outflow = sum((r["outflow"] for r in rows), ZERO)
    return ChartData(
        name="flows",
        title=gettext("Money in and out"),
        columns=[Column("period", str(PERIOD_FROM[context.filters.granularity]), "date"), *flow_columns()],
        rows=rows,
        summary={"currency": context.filters.currency, **_flow_row(inflow, outflow, sum(r["count"] for r in rows))},
    )


def in_out_bars(x: list[Any], rows: list[dict[str, Any]], *, out_sign: int = 1) -> list[dict[str, Any]]:
    """Green money-in and red money-out bars (money out drawn below zero with out_sign=-1)."""
    return [
        {
            "type": "bar",
            "name": gettext("Money in"),
            "x": x,
            "y": [r["inflow"] for r in rows],
            "marker": {"color": IN_COLOR},
        },
        {
            "type": "bar",
            "name": gettext("Money out"),
            "x": x,
            "y": [out_sign * r["outflow"] for r in rows],
            "marker": {"color": OUT_COLOR},
        },
    ]


def draw_flows(data: ChartData, context: Context) -> dict[str, Any]:
    x = [row["period"] for row in data.rows]
    net = {
        "type": "scatter",
        "mode": "lines+markers",
        "name": gettext("Net"),
        "x": x,
        "y": [r["net"] for r in data.rows],
        "line": {"color": NET_COLOR},
    }
    values = [value for row in data.rows for value in (row["inflow"], -row["outflow"])]
    return {
        "data": [*in_out_bars(x, data.rows, out_sign=-1), net],
        "layout": layout(
            gettext("Money in and out"), barmode="relative", yaxis=money_axis(context.filters.currency, values)
        ),
    }


def _whole_months(
    start: datetime.date, end: datetime.date, today: datetime.date
) -> tuple[datetime.date, datetime.date]:
    """The months [first, last) that the period covers whole (the current month counts up to today)."""
    first = start if start.day == 1 else next_month(start)
    reaches_month_end = end >= today or next_month(end) - datetime.timedelta(days=1) == end
    last = next_month(end) if reaches_month_end else month_start(end)
    return first, max(first, last)


def compute_counterparties(context: Context) -> ChartData:
    """Top counterparties by money in and by money out: whole months from the monthly rollups,
    the days of a partial month at either end from the transactions themselves."""
    account_ids = [a.pk for a in context.currency_accounts]
    start, end = context.filters.start, context.filters.end
    first, last = _whole_months(start, end, context.today)
    totals: dict[str, list[Any]] = defaultdict(lambda: [ZERO, ZERO, 0])
    monthly = (
        CounterpartyRollup.objects.filter(account_id__in=account_ids, month__gte=first, month__lt=last)
        .values("counterparty")
        .annotate(in_sum=Sum("inflow"), out_sum=Sum("outflow"), n=Sum("count"))
    )
    for row in monthly:
        total = totals[row["counterparty"]]
        total[0] += row["in_sum"]
        total[1] += row["out_sum"]
        total[2] += row["n"]
    edges = [(start, min(end, first - datetime.timedelta(days=1)))] if start < first else []
    if last <= end:
        edges.append((max(start, last), end))
    for low, high in edges:
        if low > high:
            continue
        raw = (
            BankTransaction.objects.filter(
                account_id__in=account_ids, status="booked", execution_date__range=(low, high)
            )
            .annotate(counterparty=rollups.counterparty_expression())
            .values("counterparty")
            .annotate(**rollups.sums())
        )
        for row in raw:
            total = totals[row["counterparty"][:200]]
            total[0] += row["inflow_sum"]
            total[1] += row["outflow_sum"]
            total[2] += row["row_count"]
    for total in totals.values():
        total[0], total[1] = cents(total[0]), cents(total[1])
    top_in = sorted((t for t in totals.items() if t[1][0] > 0), key=lambda t: (-t[1][0], t[0]))[:TOP_COUNTERPARTIES]
    top_out = sorted((t for t in totals.items() if t[1][1] > 0), key=lambda t: (-t[1][1], t[0]))[:TOP_COUNTERPARTIES]
    rows = [{"direction": "in", "counterparty": name, "amount": t[0], "count": t[2]} for name, t in top_in] + [
        {"direction": "out", "counterparty": name, "amount": t[1], "count": t[2]} for name, t in top_out
    ]
    return ChartData(
        name="counterparties",
        title=gettext("Top counterparties"),
        columns=[
            Column("direction", gettext("Direction")),
            Column("counterparty", gettext("Counterparty")),
            Column("amount", gettext("Amount"), "money"),
            Column("count", gettext("Transactions"), "number"),
        ],
        rows=rows,
        summary={"currency": context.filters.currency, "counterparties": len(totals)},
    )


def short(name: str, length: int = 22) -> str:
    """A counterparty's name as an axis label: long names cut, whole in the hover text."""
    return name if len(name) <= length else name[: length - 1].rstrip() + "…"


def draw_counterparties(data: ChartData, context: Context) -> dict[str, Any]:
    def bars(direction: str, name: str, color: str, axis: tuple[str, str]) -> dict[str, Any]:
        rows = [r for r in data.rows if r["direction"] == direction][::-1]
        return {
            "type": "bar",
            "orientation": "h",
            "name": name,
            "marker": {"color": color},
            "xaxis": axis[0],
            "yaxis": axis[1],
            "x": [r["amount"] for r in rows],
            "y": [short(r["counterparty"]) for r in rows],
            "customdata": [r["counterparty"] for r in rows],
            "hovertemplate": "%{customdata}: %{x:,.2f}<extra></extra>",
        }

    currency = context.filters.currency
    amounts = [row["amount"] for row in data.rows]
    money = {key: value for key, value in money_axis(currency, amounts).items() if key not in ("zeroline",)}
    return {
        "data": [
            bars("in", gettext("Money in"), IN_COLOR, ("x", "y")),
            bars("out", gettext("Money out"), OUT_COLOR, ("x2", "y2")),
        ],
        "layout": layout(
            gettext("Top counterparties"),
            hovermode="closest",
            grid={"rows": 1, "columns": 2, "pattern": "independent"},
            # Room for the left chart's names: plotly grows only the outer margins to fit labels.
            margin={"l": 150},
            xaxis=money,
            xaxis2=money,
        ),
    }


def compute_categories(context: Context) -> ChartData:
    rows = [
        {"category": row["category"] or gettext("Uncategorised"), **_flow_row(row["in_sum"], row["out_sum"], row["n"])}
        for row in period_rollups(context)
        .values("category")
        .annotate(in_sum=Sum("inflow"), out_sum=Sum("outflow"), n=Sum("count"))
        .order_by("category")
    ]
    rows.sort(key=lambda row: -(row["inflow"] + row["outflow"]))
    return ChartData(
        name="categories",
        title=gettext("By category"),
        columns=[Column("category", gettext("Category")), *flow_columns()],
        rows=rows,
        summary={"currency": context.filters.currency, "categories": len(rows)},
    )


def draw_categories(data: ChartData, context: Context) -> dict[str, Any]:
    values = [value for row in data.rows for value in (row["inflow"], row["outflow"])]
    return {
        "data": in_out_bars([row["category"] for row in data.rows], data.rows),
        "layout": layout(
            gettext("By category"),
            barmode="group",
            hovermode="closest",
            yaxis=money_axis(context.filters.currency, values),
        ),
    }


NO_TRANSACTIONS = _("No bank transactions in this period.")
register(
    Chart(
        "flows",
        _("Money in and out"),
        _("Inflow, outflow and net per day, week or month."),
        compute_flows,
        draw_flows,
        NO_TRANSACTIONS,
    )
)
register(
    Chart(
        "counterparties",
        _("Top counterparties"),
        _("The ten largest payers and payees of the period."),
        compute_counterparties,
        draw_counterparties,
        NO_TRANSACTIONS,
    )
)
register(
    Chart(
        "categories",
        _("By category"),
        _("Inflow and outflow per category of your rules."),
        compute_categories,
        draw_categories,
        NO_TRANSACTIONS,
    )
)
