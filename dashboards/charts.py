"""The registry of dashboard charts: each computes its data (rows for the table, CSV and JSON)
from the rollups and billing tables, and draws a plotly figure from that data.

Data and figures are cached separately under the organisation's data version and the request's
language (see `state`), so the page, which shows the tables, never pays for drawing, and a repeat
view is one cache read.

Every figure goes through `styled` on its way out: one look for all of them (colours, fonts,
margins that grow to fit their labels, money axes as the language writes amounts), and an
empty chart becomes a message instead of a blank grid.
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
from django.utils.dates import MONTHS, MONTHS_3, WEEKDAYS, WEEKDAYS_ABBR
from django.utils.formats import get_format
from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from plotly.io.json import to_json_plotly

from banking.models import BankAccount
from core.formatting import format_money
from dashboards.filters import Filters
from dashboards.state import cache_key, cached
from invoices.money import round_cents

# The dashboards' colours, for every figure: money in green, money out red, balances blue
# (dashed where they are a projection), a threshold orange, the rest grey.
IN_COLOR = "#2e7d32"
OUT_COLOR = "#c62828"
BALANCE_COLOR = "#1a237e"
NET_COLOR = "#546e7a"
THRESHOLD_COLOR = "#ef6c00"
FORECAST_DASH = "dash"
COLORWAY = [BALANCE_COLOR, IN_COLOR, OUT_COLOR, NET_COLOR, THRESHOLD_COLOR, "#6a1b9a", "#00838f"]
FONT = {"family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", "size": 12, "color": "#263238"}
# A money axis spans at least this many units, so a flat or empty series never gets ticks of
# half a euro that round to "1, 1, 0, -1, -1".
MIN_MONEY_SPAN = Decimal(10)
NOTHING_TO_SHOW = _("Nothing to show for this period yet.")


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
    title: str | Promise
    description: str | Promise
    compute: Callable[[Context], ChartData]
    draw: Callable[[ChartData, Context], dict[str, Any]]
    # What the chart says instead of an empty figure.
    empty_text: str | Promise = NOTHING_TO_SHOW


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
        chart = CHARTS[name]
        empty = is_empty(data)
        figure = empty_figure(str(chart.empty_text)) if empty else chart.draw(data, context)
        body = {
            **data.as_json(),
            "filters": context.filters.as_json(),
            "empty": str(chart.empty_text) if empty else "",
            "figure": styled(figure),
            "locale": plotly_locale(),
        }
        return str(to_json_plotly(body))

    return cached(context.key("json", name), encode)


def figure_of(text: str) -> dict[str, Any]:
    figure: dict[str, Any] = json.loads(text)["figure"]
    return figure


def is_empty(data: ChartData) -> bool:
    """No amount in the chart's rows differs from zero: nothing worth drawing."""
    return not any(isinstance(value, Decimal) and value != 0 for row in data.rows for value in row.values())


def money_prefix(currency: str) -> str:
    """What the language writes before an amount in this currency: "€" in English, "€ " in Dutch."""
    sample = format_money(Decimal(0), currency)
    return sample[: next(i for i, char in enumerate(sample) if char.isdigit() or char == "-")]


def money_axis(currency: str, values: Iterable[Decimal | int] = (), **extra: Any) -> dict[str, Any]:
    """A y axis of whole amounts in `currency`, as the language writes them. Given the values it
    shows, a flat or tiny series gets a range of at least MIN_MONEY_SPAN around them."""
    axis: dict[str, Any] = {
        "tickformat": ",.0f",
        "tickprefix": money_prefix(currency),
        "hoverformat": ",.2f",
        "zeroline": True,
        "rangemode": "tozero",
        **extra,
    }
    shown = [Decimal(value) for value in values]
    low, high = min([Decimal(0), *shown]), max([Decimal(0), *shown])
    if high - low < MIN_MONEY_SPAN:
        pad = (MIN_MONEY_SPAN - (high - low)) / 2
        axis["range"] = [float(low - pad if low < 0 else low), float(high + pad if low < 0 else low + MIN_MONEY_SPAN)]
    return axis


def layout(title: str, **extra: Any) -> dict[str, Any]:
    return {"title": {"text": title}, **extra}


def empty_figure(text: str) -> dict[str, Any]:
    """A figure with no axes, saying why there is nothing to draw."""
    return {
        "data": [],
        "layout": {
            "xaxis": {"visible": False},
            "yaxis": {"visible": False},
            "annotations": [{"text": text, "showarrow": False, "xref": "paper", "yref": "paper", "x": 0.5, "y": 0.5}],
        },
    }


def plotly_locale() -> dict[str, Any]:
    """The active language's month and day names and separators, as plotly.js's locale format:
    the page's script registers it, so date axes and hover labels read like the rest of the page."""
    english = (get_language() or "en").startswith("en")

    def names(table: dict[int, Any]) -> list[str]:
        return [str(table[key]).capitalize() if english else str(table[key]) for key in sorted(table)]

    sunday_first = [6, 0, 1, 2, 3, 4, 5]  # Django counts from Monday, plotly from Sunday
    return {
        "name": f"app-{get_language() or 'en'}",
        "format": {
            "days": [str(WEEKDAYS[day]) for day in sunday_first],
            "shortDays": [str(WEEKDAYS_ABBR[day]) for day in sunday_first],
            "months": names(MONTHS),
            "shortMonths": names(MONTHS_3),
            "date": "%d-%m-%Y" if (get_language() or "").startswith("nl") else "%d/%m/%Y",
            "decimal": str(get_format("DECIMAL_SEPARATOR")),
            "thousands": str(get_format("THOUSAND_SEPARATOR")),
            "grouping": [3],
        },
    }


def styled(figure: dict[str, Any]) -> dict[str, Any]:
    """The one style of every dashboard figure: fonts, colours, separators of the active
    language, a legend under the plot, and margins that grow to fit tick and axis labels."""
    layout = figure.setdefault("layout", {})
    decimal, thousands = str(get_format("DECIMAL_SEPARATOR")), str(get_format("THOUSAND_SEPARATOR"))
    base: dict[str, Any] = {
        "separators": decimal + thousands,
        "font": FONT,
        "colorway": COLORWAY,
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "margin": {"l": 8, "r": 8, "t": 40, "b": 8, "pad": 4},
        "legend": {"orientation": "h", "x": 0, "y": -0.15, "yanchor": "top"},
        "hovermode": "x unified",
        "hoverlabel": {"font": FONT},
    }
    for key, value in base.items():
        layout.setdefault(key, value)
    title = layout.get("title")
    if isinstance(title, dict):
        title.setdefault("x", 0)
        title.setdefault("xanchor", "left")
        title.setdefault("font", {**FONT, "size": 14})
    axes = [key for key in layout if key.startswith(("xaxis", "yaxis"))] or ["xaxis", "yaxis"]
    for key in axes:
        axis = layout.setdefault(key, {})
        axis.setdefault("automargin", True)
        axis.setdefault("gridcolor", "#eceff1")
        axis.setdefault("title", {}).setdefault("standoff", 8)
    return figure
