"""The overview's figures: the key numbers of the day and what needs someone's attention.

Cash, this month's flows and the forecast come from the charts' own (cached) data, so the tabs
show the same numbers and the overview's charts draw from what it computed. The receivables and
payables need only their totals here: one aggregate each, not the charts' per-client tables."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum

from banking.models import Bill, Match, MatchStatus
from dashboards.charts import Context, chart_data
from dashboards.figures.receivables import open_invoices
from dashboards.models import DailyRollup
from dashboards.state import cached
from invoices.models import Invoice
from invoices.money import round_cents

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


def receivables_totals(context: Context) -> dict[str, Any]:
    """Open invoices overdue today: their balance and how many."""
    overdue = open_invoices(context.organization_id, context.filters.currency).filter(due_date__lt=context.today)
    totals = overdue.order_by().aggregate(total=Sum("balance_due"), count=Count("pk"))
    return {"overdue_total": round_cents(Decimal(totals["total"] or 0)), "overdue_count": totals["count"]}


def payables_totals(context: Context) -> dict[str, Any]:
    """Open bills (those the figures count): their total, how many, and what is overdue."""
    bills = Bill.objects.filter(organization_id=context.organization_id, currency=context.filters.currency)
    totals = (
        bills.open()
        .counted()
        .order_by()
        .aggregate(
            total=Sum("open_amount"),
            count=Count("pk"),
            overdue=Sum("open_amount", filter=Q(due_date__lt=context.today)),
        )
    )
    return {
        "total": round_cents(Decimal(totals["total"] or 0)),
        "count": totals["count"],
        "overdue_total": round_cents(Decimal(totals["overdue"] or 0)),
    }


def review_count(organization_id: int) -> int:
    """Matches waiting for review, counted up to REVIEW_COUNT_CAP."""
    waiting = Match.objects.filter(organization_id=organization_id, status=MatchStatus.SUGGESTED)
    return waiting.values("pk")[:REVIEW_COUNT_CAP].count()


def compute_figures(context: Context) -> dict[str, Any]:
    data = chart_data(context, FIGURE_CHARTS)
    kpis, position, forecast = data["kpis"].summary, data["position"].summary, data["forecast"].summary
    aging, payables = receivables_totals(context), payables_totals(context)
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
        "review_count": waiting,
        "review_count_capped": waiting >= REVIEW_COUNT_CAP,
        "uncategorised_count": uncategorised_count(context),
        # Made or imported, in any state: the first steps' "create or import an invoice".
        "invoices_exist": Invoice.objects.filter(organization_id=context.organization_id).exists(),
    }


def overview_figures(context: Context) -> dict[str, Any]:
    """The overview's figures for these filters, cached under the data version and language."""
    return cached(context.key("overview", "figures"), lambda: compute_figures(context))
