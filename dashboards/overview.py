"""The overview's figures: the key numbers of the day and what needs someone's attention, read
from the charts' own (cached) data so the detail tabs show the same numbers."""

from __future__ import annotations

from typing import Any

from django.db.models import Sum

from banking.models import Match, MatchStatus
from dashboards.charts import Context, chart_data
from dashboards.models import DailyRollup
from dashboards.state import cached
from invoices.models import Invoice

# The charts the overview's figures come from; the page draws "balance" and "forecast".
FIGURE_CHARTS = ["kpis", "position", "aging", "payables", "forecast"]


def uncategorised_count(context: Context) -> int:
    """Booked transactions of the selected accounts that no category rule has sorted, ever."""
    total = DailyRollup.objects.filter(account_id__in=[a.pk for a in context.accounts], category="").aggregate(
        n=Sum("count")
    )["n"]
    return int(total or 0)


def compute_figures(context: Context) -> dict[str, Any]:
    data = chart_data(context, FIGURE_CHARTS)
    kpis, position = data["kpis"].summary, data["position"].summary
    aging, payables, forecast = data["aging"].summary, data["payables"].summary, data["forecast"].summary
    return {
        "currency": context.filters.currency,
        "cash": position["total"],
        "accounts": position["accounts"],
        "balances_of": position["oldest_balance_date"],
        "money_in": kpis["cash_in_this_month"],
        "money_out": kpis["cash_out_this_month"],
        "money_in_last_month": kpis["cash_in_last_month"],
        "money_out_last_month": kpis["cash_out_last_month"],
        "overdue_total": aging["overdue_total"],
        "overdue_count": aging["overdue_count"],
        "payables_total": payables["total"],
        "payables_count": payables["count"],
        "payables_overdue_total": payables["overdue_total"],
        "low_point": forecast["lowest_balance"],
        "low_point_date": forecast["lowest_date"],
        "below_zero_from": forecast["first_below_zero"],
        "below_threshold_from": forecast["first_below_threshold"],
        "threshold": forecast["threshold"],
        # Every change to a match or a category moves the data version: cached with the figures.
        "review_count": Match.objects.filter(
            organization_id=context.organization_id, status=MatchStatus.SUGGESTED
        ).count(),
        "uncategorised_count": uncategorised_count(context),
        # Made or imported, in any state: the first steps' "create or import an invoice".
        "invoices_exist": Invoice.objects.filter(organization_id=context.organization_id).exists(),
    }


def overview_figures(context: Context) -> dict[str, Any]:
    """The overview's figures for these filters, cached under the data version and language."""
    return cached(context.key("overview", "figures"), lambda: compute_figures(context))
