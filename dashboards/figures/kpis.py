"""Headline figures: cash in and out this month against last month, monthly net burn, runway."""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Sum
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.months import month_start, next_month
from dashboards.charts import (
    IN_COLOR,
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
from dashboards.models import DailyRollup

ZERO = Decimal("0.00")
BURN_MONTHS = 6


def _month_totals(
    context: Context, first: datetime.date, end: datetime.date
) -> dict[datetime.date, tuple[Decimal, Decimal]]:
    """Inflow and outflow per month of the selected accounts, for months from `first` to `end`."""
    totals: dict[datetime.date, tuple[Decimal, Decimal]] = {}
    month = first
    while month <= end:
        totals[month] = (ZERO, ZERO)
        month = next_month(month)
    account_ids = [a.pk for a in context.currency_accounts]
    for day, inflow, outflow in (
        DailyRollup.objects.filter(account_id__in=account_ids, day__gte=first, day__lte=end)
        .values("day")
        .annotate(in_sum=Sum("inflow"), out_sum=Sum("outflow"))
        .values_list("day", "in_sum", "out_sum")
    ):
        month = month_start(day)
        previous_in, previous_out = totals[month]
        totals[month] = (cents(previous_in + inflow), cents(previous_out + outflow))
    return totals


def compute_kpis(context: Context) -> ChartData:
    today = context.today
    this_month = month_start(today)
    last_month = month_start(this_month - datetime.timedelta(days=1))
    first_burn_month = this_month
    for _month in range(BURN_MONTHS):
        first_burn_month = month_start(first_burn_month - datetime.timedelta(days=1))
    totals = _month_totals(context, first_burn_month, today)
    full_months = [totals[m] for m in sorted(totals) if m < this_month]
    average_net = sum((inflow - outflow for inflow, outflow in full_months), ZERO) / len(full_months)
    burn = max(-average_net, ZERO).quantize(Decimal("0.01"), ROUND_HALF_UP)
    cash = sum((a.current_balance for a in context.currency_accounts), ZERO)
    runway = (cash / burn).quantize(Decimal("0.1"), ROUND_HALF_UP) if burn > 0 and cash > 0 else None
    if burn > 0 and cash <= 0:
        runway = Decimal("0.0")
    now_in, now_out = totals[this_month]
    last_in, last_out = totals[last_month]
    rows = [{"month": m, "inflow": i, "outflow": o, "net": i - o} for m, (i, o) in sorted(totals.items())]
    return ChartData(
        name="kpis",
        title=gettext("Key figures"),
        columns=[
            Column("month", gettext("Month"), "date"),
            Column("inflow", gettext("Money in"), "money"),
            Column("outflow", gettext("Money out"), "money"),
            Column("net", gettext("Net"), "money"),
        ],
        rows=rows,
        summary={
            "currency": context.filters.currency,
            "cash": cash,
            "cash_in_this_month": now_in,
            "cash_in_last_month": last_in,
            "cash_out_this_month": now_out,
            "cash_out_last_month": last_out,
            "average_monthly_net": average_net.quantize(Decimal("0.01"), ROUND_HALF_UP),
            "monthly_net_burn": burn,
            "runway_months": runway,
            "burn_months": BURN_MONTHS,
        },
    )


def draw_kpis(data: ChartData, context: Context) -> dict[str, Any]:
    x = [row["month"] for row in data.rows]
    nets = [row["net"] for row in data.rows]
    return {
        "data": [
            {
                "type": "bar",
                "name": gettext("Net"),
                "x": x,
                "y": nets,
                "marker": {"color": [IN_COLOR if net >= 0 else OUT_COLOR for net in nets]},
            }
        ],
        "layout": layout(
            gettext("Net per month"),
            yaxis=money_axis(context.filters.currency, nets),
            xaxis={"type": "date", "tickformat": "%b %Y"},
            hovermode="closest",
            showlegend=False,
        ),
    }


register(
    Chart(
        "kpis",
        _("Key figures"),
        _(
            "Cash in and out this month and last, the average monthly net burn over "
            "the last six full months, and the runway it leaves."
        ),
        compute_kpis,
        draw_kpis,
        _("No bank transactions in the last months."),
    )
)
