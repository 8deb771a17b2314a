"""The registry of dashboard charts: each computes its data (rows for the table, CSV and JSON)
from the rollups and billing tables, and draws a plotly figure from that data.

Data and figures are cached separately under the organisation's data version (see `state`), so
the page, which shows the tables, never pays for drawing, and a repeat view is one cache read.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.cache import cache
from plotly.io.json import to_json_plotly

from banking.models import BankAccount
from dashboards.filters import Filters
from dashboards.state import cache_key, cached
from invoices.money import round_cents


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = "text"  # text, date, money, number, percent


@dataclass
class ChartData:
    name: str
    title: str
    columns: list[Column]
    rows: list[dict[str, Any]]
    summary: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "chart": self.name,
            "title": self.title,
            "columns": [{"key": c.key, "label": c.label, "kind": c.kind} for c in self.columns],
            "rows": [{key: plain(value) for key, value in row.items()} for row in self.rows],
            "summary": {key: plain(value) for key, value in self.summary.items()},
        }


def cents(value: Decimal | int | None) -> Decimal:
    """A sum from the database as money: SQLite drops the scale of decimal sums."""
    return round_cents(Decimal(value or 0))


def plain(value: Any) -> Any:
    """JSON for one value: money as a string (no float rounding), dates in ISO 8601."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    return value


@dataclass(frozen=True)
class Context:
    """What every chart computes from: the organisation, the filters, the accounts they select."""

    organization_id: int
    version: int
    filters: Filters
    accounts: tuple[BankAccount, ...]
    today: datetime.date

    @property
    def currency_accounts(self) -> list[BankAccount]:
        """The selected accounts in the chosen currency: what the money figures add up."""
        return [account for account in self.accounts if account.currency == self.filters.currency]

    def key(self, kind: str, name: str) -> str:
        return cache_key(self.organization_id, self.version, f"{kind}:{name}", self.filters.query())


@dataclass(frozen=True)
class Chart:
    name: str
    title: str
    description: str
    compute: Callable[[Context], ChartData]
    draw: Callable[[ChartData, Context], dict[str, Any]]


CHARTS: dict[str, Chart] = {}


def register(chart: Chart) -> Chart:
    CHARTS[chart.name] = chart
    return chart


def chart_data(context: Context, names: Iterable[str]) -> dict[str, ChartData]:
    """The data of these charts: one cache read for all, then computing what was missing."""
    keys = {name: context.key("data", name) for name in names}
    found = cache.get_many(list(keys.values()))
    result: dict[str, ChartData] = {}
    missing: dict[str, ChartData] = {}
    for name, key in keys.items():
        if key in found:
            result[name] = found[key]
        else:
            result[name] = missing[key] = CHARTS[name].compute(context)
    if missing:
        cache.set_many(missing, settings.DASHBOARD_CACHE_SECONDS)
    return result


def chart_json(context: Context, name: str) -> str:
    """The documented JSON of one chart (data, table columns and plotly figure), cached as text."""

    def encode() -> str:
        data = chart_data(context, [name])[name]
        body = {**data.as_json(), "filters": context.filters.as_json(), "figure": CHARTS[name].draw(data, context)}
        return str(to_json_plotly(body))

    return cached(context.key("json", name), encode)


def figure_of(text: str) -> dict[str, Any]:
    figure: dict[str, Any] = json.loads(text)["figure"]
    return figure


def money_axis(currency: str) -> dict[str, Any]:
    return {"tickformat": ",.0f", "title": {"text": currency}, "zeroline": True}


def layout(title: str, **extra: Any) -> dict[str, Any]:
    return {
        "title": {"text": title},
        "margin": {"l": 60, "r": 20, "t": 48, "b": 40},
        "legend": {"orientation": "h", "y": -0.2},
        "hovermode": "x unified",
        **extra,
    }
