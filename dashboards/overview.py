"""The overview's figures: the key numbers of the day and what needs someone's attention.

Cash, this month's flows and the forecast come from the charts' own (cached) data, so the tabs
show the same numbers and the overview's charts draw from what it computed. The receivables and
payables need only their totals here, not the charts' per-client tables: they come with the open
items the forecast reads (dashboards.open_items), so no query runs twice."""

from __future__ import annotations

from typing import Any

from django.db.models import Sum

from banking.models import Match, MatchStatus
from dashboards.charts import Context, chart_data
from dashboards.models import DailyRollup
from dashboards.open_items import OpenItems, open_items
from dashboards.state import cached
from invoices.models import Invoice

# The charts the overview's figures come from; the page draws "balance" and "forecast".
FIGURE_CHARTS = ["kpis", "position", "forecast"]
# Counting every match waiting for review costs as much as the rest of the page once there are
# hundreds of thousands; past this many the overview says "more than".
REVIEW_COUNT_CAP = 1000


def uncategorised_count(context: Context) -> int:
    """Booked transactions of the selected accounts that no category rule has sorted, ever."""
    total = DailyRollup.objects.filter(account_id__in=[a.pk for a in context.accounts], category="").aggregate(
        n=Sum("count")
    )["n"]
    return int(total or 0)


def payables_totals(items: OpenItems) -> dict[str, Any]:
    """Open bills (those the figures count): their total, how many, and what is overdue."""
    return {"total": items.bills_total, "count": items.bills_count, "overdue_total": items.bills_overdue_total}


def review_count(organization_id: int) -> int:
    """Matches waiting for review, counted up to REVIEW_COUNT_CAP."""
    waiting = Match.objects.filter(organization_id=organization_id, status=MatchStatus.SUGGESTED)
    return waiting.values("pk")[:REVIEW_COUNT_CAP].count()


def compute_figures(context: Context) -> dict[str, Any]:
    data = chart_data(context, FIGURE_CHARTS)
    kpis, position, forecast = data["kpis"].summary, data["position"].summary, data["forecast"].summary
    # What the forecast read too: from the cache (or the background task), not queried again.
    items = open_items(context.organization_id, context.version, context.filters.currency, context.today)
    payables = payables_totals(items)
    waiting = review_count(context.organization_id)
    return {
        "currency": context.filters.currency,
        "cash": position["total"],
        "accounts": position["accounts"],
        "balances_of": position["oldest_balance_date"],
        "money_in": kpis["cash_in_this_month"],
        "money_out": kpis["cash_out_this_month"],
        "money_in_last_month": kpis["cash_in_last_month"],
        "money_out_last_month": kpis["cash_out_last_month"],
        "overdue_total": items.overdue_receivables_total,
        "overdue_count": items.overdue_receivables_count,
        "payables_total": payables["total"],
        "payables_count": payables["count"],
        "payables_overdue_total": payables["overdue_total"],
        "low_point": forecast["lowest_balance"],
        "low_point_date": forecast["lowest_date"],
        "below_zero_from": forecast["first_below_zero"],
        "below_threshold_from": forecast["first_below_threshold"],
        "threshold": forecast["threshold"],
        # Every change to a match or a category moves the data version: cached with the figures.
        "review_count": waiting,
        "review_count_capped": waiting >= REVIEW_COUNT_CAP,
        "uncategorised_count": uncategorised_count(context),
        # Made or imported, in any state: the first steps' "create or import an invoice".
        "invoices_exist": Invoice.objects.filter(organization_id=context.organization_id).exists(),
    }


def overview_figures(context: Context) -> dict[str, Any]:
    """The overview's figures for these filters, cached under the data version and language."""
    return cached(context.key("overview", "figures"), lambda: compute_figures(context))
