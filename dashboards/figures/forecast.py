"""The 13-week cash forecast: today's balance, plus open receivables, open bills and recurring flows."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from banking.models import RecurringFlow
from core.formatting import format_date, format_money
from dashboards.charts import (
    BALANCE_COLOR,
    FORECAST_DASH,
    IN_COLOR,
    OUT_COLOR,
    THRESHOLD_COLOR,
    Chart,
    ChartData,
    Column,
    Context,
    layout,
    money_axis,
    register,
)
from dashboards.figures.cash import daily_balances
from dashboards.open_items import BillsDue, open_bills_by_due_date, open_items
from dashboards.open_items import expected_receivables as expected_receivables  # the forecast's, by its old name
from dashboards.state import state_for

ZERO = Decimal("0.00")
WEEKS = 13
DAYS = WEEKS * 7
SOURCES = ("receivables_in", "recurring_in", "bills_out", "recurring_out")
Amounts = dict[datetime.date, Decimal]


def bills_by_day(bills: Iterable[BillsDue], tomorrow: datetime.date) -> Amounts:
    """Open bills by the day they go out: their due date (past due or undated: tomorrow), as
    positive amounts."""
    amounts: Amounts = defaultdict(lambda: ZERO)
    for due in bills:
        amounts[max(due.due_date or tomorrow, tomorrow)] += due.total
    return amounts


def expected_bills(organization_id: int, currency: str, tomorrow: datetime.date) -> Amounts:
    """Open bills by due date (past due or undated: tomorrow), as positive amounts."""
    return bills_by_day(open_bills_by_due_date(organization_id, currency), tomorrow)


def expected_recurring(
    organization_id: int, currency: str, first: datetime.date, last: datetime.date
) -> tuple[Amounts, Amounts]:
    """Recurring flows projected from `first` to `last`: money in, and money out (positive)."""
    money_in: Amounts = defaultdict(lambda: ZERO)
    money_out: Amounts = defaultdict(lambda: ZERO)
    for flow in RecurringFlow.objects.filter(organization_id=organization_id, currency=currency):
        for day in flow.dates_until(last, first):
            if flow.amount > 0:
                money_in[day] += flow.amount
            else:
                money_out[day] -= flow.amount
    return money_in, money_out


def _first(series: list[tuple[datetime.date, Decimal]], below: Decimal) -> datetime.date | None:
    return next((day for day, balance in series if balance < below), None)


def compute_forecast(context: Context) -> ChartData:
    organization_id, currency, today = context.organization_id, context.filters.currency, context.today
    tomorrow, last = today + datetime.timedelta(days=1), today + datetime.timedelta(days=DAYS)
    opening = daily_balances(context, today, today)[0][1]
    threshold = state_for(organization_id).cash_threshold
    recurring_in, recurring_out = expected_recurring(organization_id, currency, tomorrow, last)
    # Shared with the overview's totals, and often ready before the request (dashboards.tasks).
    billing = open_items(organization_id, context.version, currency, today)
    sources: dict[str, Amounts] = {
        "receivables_in": billing.receivables_by_day,
        "recurring_in": recurring_in,
        "bills_out": bills_by_day(billing.bills, tomorrow),
        "recurring_out": recurring_out,
    }
    series = [(today, opening)]
    rows: list[dict[str, Any]] = []
    balance = opening
    for week in range(WEEKS):
        start = tomorrow + datetime.timedelta(days=7 * week)
        row: dict[str, Any] = {"week": start, "week_end": start + datetime.timedelta(days=6)}
        row.update(dict.fromkeys(SOURCES, ZERO))
        for offset in range(7):
            day = start + datetime.timedelta(days=offset)
            for source in SOURCES:
                row[source] += sources[source].get(day, ZERO)
            balance += sum((sources[s].get(day, ZERO) for s in ("receivables_in", "recurring_in")), ZERO)
            balance -= sum((sources[s].get(day, ZERO) for s in ("bills_out", "recurring_out")), ZERO)
            series.append((day, balance))
        row["net"] = row["receivables_in"] + row["recurring_in"] - row["bills_out"] - row["recurring_out"]
        row["closing"] = balance
        rows.append(row)
    lowest_date, lowest = min(series, key=lambda point: point[1])  # the first day of the lowest balance
    return ChartData(
        name="forecast",
        title=gettext("13-week cash forecast"),
        columns=[
            Column("week", gettext("Week from"), "date"),
            Column("week_end", gettext("Week to"), "date"),
            Column("receivables_in", gettext("Receivables in"), "money"),
            Column("recurring_in", gettext("Recurring in"), "money"),
            Column("bills_out", gettext("Bills out"), "money"),
            Column("recurring_out", gettext("Recurring out"), "money"),
            Column("net", gettext("Net"), "money"),
            Column("closing", gettext("Closing balance"), "money"),
        ],
        rows=rows,
        summary={
            "currency": currency,
            "today": today,
            "horizon_end": last,
            "opening_balance": opening,
            "closing_balance": balance,
            "lowest_balance": lowest,
            "lowest_date": lowest_date,
            "threshold": threshold,
            "first_below_zero": _first(series, ZERO),
            "first_below_threshold": _first(series, threshold),
            **{source: sum((row[source] for row in rows), ZERO) for source in SOURCES},
            "series": [[day, amount] for day, amount in series],
        },
    )


def draw_forecast(data: ChartData, context: Context) -> dict[str, Any]:
    """The projected balance (dashed: a projection) on the left axis; each week's money in and
    out as bars on their own axis at the right, so a week of 5,000 reads beside a balance of
    500,000."""
    summary, currency = data.summary, context.filters.currency
    days = [day for day, _balance in summary["series"]]
    balances = [balance for _day, balance in summary["series"]]
    week = 7 * 24 * 3600 * 1000  # a week in milliseconds, the unit of a date axis
    weeks = [row["week"] for row in data.rows]
    money_in = [row["receivables_in"] + row["recurring_in"] for row in data.rows]
    money_out = [row["bills_out"] + row["recurring_out"] for row in data.rows]
    bar = {"type": "bar", "x": weeks, "yaxis": "y2", "width": [week * 0.4] * len(weeks), "opacity": 0.75}
    traces: list[dict[str, Any]] = [
        {**bar, "name": gettext("Money in per week"), "y": money_in, "offset": 0, "marker": {"color": IN_COLOR}},
        {
            **bar,
            "name": gettext("Money out per week"),
            "y": [-amount for amount in money_out],
            "offset": week * 0.4,
            "marker": {"color": OUT_COLOR},
        },
        {
            "type": "scatter",
            "mode": "lines",
            "name": gettext("Projected balance"),
            "line": {"shape": "hv", "color": BALANCE_COLOR, "dash": FORECAST_DASH, "width": 2},
            "x": days,
            "y": balances,
        },
    ]
    shortfalls = {
        "zero": (gettext("Below zero from %(date)s"), summary["first_below_zero"]),
        "threshold": (gettext("Below threshold from %(date)s"), summary["first_below_threshold"]),
    }
    if shortfalls["zero"][1] == shortfalls["threshold"][1]:
        del shortfalls["threshold"]
    annotations = []
    for text, day in shortfalls.values():
        if day is None:
            continue
        balance = balances[days.index(day)]
        label = text % {"date": format_date(day)}
        traces.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": label,
                "x": [day],
                "y": [balance],
                "marker": {"color": OUT_COLOR, "size": 12, "symbol": "x"},
                "showlegend": False,
            }
        )
        annotations.append({"x": day, "y": balance, "text": label, "showarrow": True, "arrowhead": 2})
    threshold = summary["threshold"]
    shapes = []
    if threshold:  # zero, the default, is the zero line already
        shapes.append(
            {
                "type": "line",
                "xref": "paper",
                "x0": 0,
                "x1": 1,
                "yref": "y",
                "y0": threshold,
                "y1": threshold,
                "line": {"color": THRESHOLD_COLOR, "dash": "dot", "width": 1.5},
            }
        )
        annotations.append(
            {
                "xref": "paper",
                "x": 0,
                "xanchor": "left",
                "y": threshold,
                "yanchor": "bottom",
                "text": gettext("Threshold %(amount)s") % {"amount": format_money(threshold, currency)},
                "showarrow": False,
                "font": {"color": THRESHOLD_COLOR},
            }
        )
    flows = [*money_in, *(-amount for amount in money_out)]
    return {
        "data": traces,
        "layout": layout(
            gettext("Projected balance, next 13 weeks"),
            yaxis=money_axis(currency, [*balances, threshold], title={"text": gettext("Balance")}),
            yaxis2=money_axis(
                currency,
                flows,
                title={"text": gettext("In and out per week")},
                overlaying="y",
                side="right",
                showgrid=False,
                rangemode="normal",
                tickmode="auto",
                nticks=5,
            ),
            xaxis={"type": "date"},
            barmode="overlay",
            shapes=shapes,
            annotations=annotations,
        ),
    }


register(
    Chart(
        "forecast",
        _("13-week cash forecast"),
        _(
            "Projected daily balance from today's balance, open invoices "
            "(when each client usually pays), open bills and recurring flows found in the bank history."
        ),
        compute_forecast,
        draw_forecast,
        _("Nothing to forecast yet: connect your bank and add invoices or bills."),
    )
)
