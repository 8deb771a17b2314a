"""Cash position today per account, and the daily balance over the period."""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dashboards.charts import BALANCE_COLOR, Chart, ChartData, Column, Context, cents, layout, money_axis, register
from dashboards.models import DailyRollup

ZERO = Decimal("0.00")


def balance_day(account: Any, today: datetime.date) -> datetime.date:
    """The day the account's current balance was reported for (end of that day)."""
    if account.current_balance_date is None:
        return today
    return timezone.localdate(account.current_balance_date)


def _source(account: Any) -> str:
    """Where the account's figures come from, and the links of the same IBAN left uncounted."""
    connection = account.connection
    name = connection.display_name or gettext("connection")
    source = f"{connection.get_provider_display()} · {name}"
    if account.other_sources:
        source += " " + gettext("(also linked through %(sources)s: counted once, from here)") % {
            "sources": ", ".join(account.other_sources)
        }
    return source


def compute_position(context: Context) -> ChartData:
    rows: list[dict[str, Any]] = []
    totals: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for account in context.accounts:
        rows.append(
            {
                "account": str(account),
                "iban": account.iban,
                "currency": account.currency,
                "balance": account.current_balance,
                "balance_date": balance_day(account, context.today),
                "source": _source(account),
            }
        )
        totals[account.currency] += account.current_balance
    oldest = min((row["balance_date"] for row in rows), default=None)
    return ChartData(
        name="position",
        title=gettext("Cash position"),
        columns=[
            Column("account", gettext("Account")),
            Column("iban", gettext("IBAN")),
            Column("currency", gettext("Currency")),
            Column("balance", gettext("Balance"), "money"),
            Column("balance_date", gettext("Balance of"), "date"),
            Column("source", gettext("Source")),
        ],
        rows=rows,
        summary={
            "total": totals.get(context.filters.currency, ZERO),
            "currency": context.filters.currency,
            "totals": dict(totals),
            "oldest_balance_date": oldest,
            "accounts": len(rows),
        },
    )


def draw_position(data: ChartData, context: Context) -> dict[str, Any]:
    rows = [row for row in data.rows if row["currency"] == context.filters.currency]
    balances = [r["balance"] for r in rows]
    return {
        "data": [
            {
                "type": "bar",
                "x": [r["account"] for r in rows],
                "y": balances,
                "name": gettext("Balance"),
                "marker": {"color": BALANCE_COLOR},
            }
        ],
        "layout": layout(
            gettext("Balance per account"),
            yaxis=money_axis(context.filters.currency, balances),
            hovermode="closest",
            showlegend=False,
        ),
    }


def daily_balances(context: Context, start: datetime.date, end: datetime.date) -> list[tuple[datetime.date, Decimal]]:
    """End-of-day balance of the selected accounts (in the chosen currency) for every day from start to end.

    Each account's balance on day d is its reported balance B on day d0, minus what moved after d
    up to d0 (or plus what moved from d0 up to d): B + S(d) - S(d0), S the running sum of net flow.
    """
    accounts = context.currency_accounts
    if not accounts:
        return [(start + datetime.timedelta(days=n), ZERO) for n in range((end - start).days + 1)]
    anchors = {a.pk: (balance_day(a, context.today), a.current_balance) for a in accounts}
    low = min([start, *(day for day, _ in anchors.values())])
    high = max([end, *(day for day, _ in anchors.values())])
    net: dict[int, dict[datetime.date, Decimal]] = defaultdict(dict)
    for account_id, day, amount in (
        DailyRollup.objects.filter(account_id__in=anchors, day__gt=low, day__lte=high)
        .values("account_id", "day")
        .annotate(net=Sum(F("inflow") - F("outflow")))
        .values_list("account_id", "day", "net")
    ):
        net[account_id][day] = cents(amount)
    totals = [ZERO] * ((end - start).days + 1)
    for account_id, (anchor_day, anchor_balance) in anchors.items():
        flows = net[account_id]
        running = ZERO  # S(low) = 0
        at: dict[datetime.date, Decimal] = {}
        day = low
        while day <= high:
            running += flows.get(day, ZERO) if day > low else ZERO
            at[day] = running
            day += datetime.timedelta(days=1)
        offset = anchor_balance - at[anchor_day]
        for n in range(len(totals)):
            totals[n] += at[start + datetime.timedelta(days=n)] + offset
    return [(start + datetime.timedelta(days=n), total) for n, total in enumerate(totals)]


def compute_balance(context: Context) -> ChartData:
    end = min(context.filters.end, context.today)
    start = min(context.filters.start, end)
    series = daily_balances(context, start, end)
    balances = [balance for _, balance in series]
    return ChartData(
        name="balance",
        title=gettext("Daily balance"),
        columns=[Column("day", gettext("Day"), "date"), Column("balance", gettext("Balance at end of day"), "money")],
        rows=[{"day": day, "balance": balance} for day, balance in series],
        summary={
            "currency": context.filters.currency,
            "opening": balances[0] if balances else ZERO,
            "closing": balances[-1] if balances else ZERO,
            "lowest": min(balances, default=ZERO),
            "highest": max(balances, default=ZERO),
        },
    )


def draw_balance(data: ChartData, context: Context) -> dict[str, Any]:
    balances = [row["balance"] for row in data.rows]
    return {
        "data": [
            {
                "type": "scatter",
                "mode": "lines",
                "name": gettext("Balance"),
                "line": {"shape": "hv", "color": BALANCE_COLOR, "width": 2},
                "fill": "tozeroy",
                "fillcolor": "rgba(26,35,126,0.08)",
                "x": [row["day"] for row in data.rows],
                "y": balances,
            }
        ],
        "layout": layout(
            gettext("Daily balance"),
            yaxis=money_axis(context.filters.currency, balances),
            xaxis={"type": "date"},
            showlegend=False,
        ),
    }


register(
    Chart(
        "position",
        _("Cash position"),
        _("Today's balance per bank account, with its date and source."),
        compute_position,
        draw_position,
        _("No bank account yet: connect your bank to see its balance."),
    )
)
register(
    Chart(
        "balance",
        _("Daily balance"),
        _("End-of-day balance over the period, rebuilt from today's balance and the booked transactions."),
        compute_balance,
        draw_balance,
        _("No balance to show yet: connect your bank."),
    )
)
