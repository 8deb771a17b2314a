"""Every chart's data: JSON and CSV (documented in README.md), and the HTML table the pages show."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views import View

from banking import sources
from banking.models import BankAccount
from core.csv import csv_response
from core.permissions import OrganizationMixin
from dashboards.charts import CHARTS, ChartData, Context, chart_data, chart_json, plain
from dashboards.filters import FilterForm, default_filters
from dashboards.models import DashboardState
from dashboards.state import cache_key, cached, state_for


def csv_value(value: Any) -> Any:
    """Numbers stay numbers (a negative amount is not a formula), dates in ISO 8601."""
    return value if isinstance(value, Decimal | int) else plain(value)


def counted_accounts(organization_id: int, version: int) -> list[BankAccount]:
    """The bank accounts the figures count, with their connections: cached under the data
    version, which every change to an account or a connection's status moves (a query with its
    join cost ~1.5 ms of every dashboard request)."""
    key = cache_key(organization_id, version, "accounts", "")
    return cached(key, lambda: sources.counted_accounts(organization_id))


class DashboardMixin(OrganizationMixin):
    """Reads the filters from the URL and builds the charts' context."""

    form: FilterForm
    state: DashboardState
    accounts: list[BankAccount]

    def chart_context(self, request: HttpRequest, state: DashboardState | None = None) -> Context:
        organization = self.organization
        self.state = state or state_for(organization.pk)
        self.accounts = accounts = counted_accounts(organization.pk, self.state.data_version)
        self.form = FilterForm(request.GET, accounts)
        filters = self.form.filters() if self.form.is_valid() else default_filters()
        selected = tuple(a for a in accounts if not filters.accounts or a.pk in filters.accounts)
        return Context(
            organization_id=organization.pk,
            version=self.state.data_version,
            filters=filters,
            accounts=selected,
            today=timezone.localdate(),
        )


def chart_details(context: Context, name: str) -> str:
    """One chart's data table (and, for the forecast, its summary) as HTML, cached as text: a
    repeat view is one cache read, and formatting a year of daily rows is paid once per version.
    It holds no per-user content."""
    return cached(
        context.key("details", name),
        lambda: render_to_string(
            "dashboards/_chart_details.html", {"data": chart_data(context, [name])[name], "chart": CHARTS[name]}
        ),
    )


class ChartView(DashboardMixin, View):
    def chart(self, name: str) -> tuple[Context, str]:
        if name not in CHARTS:
            raise Http404("No such chart.")
        return self.chart_context(self.request), name

    def invalid(self) -> JsonResponse:
        return JsonResponse({"error": "invalid filters", "details": self.form.errors.get_json_data()}, status=400)


class ChartJsonView(ChartView):
    def get(self, request: HttpRequest, name: str) -> HttpResponse:
        context, name = self.chart(name)
        if not self.form.is_valid():
            return self.invalid()
        return HttpResponse(chart_json(context, name), content_type="application/json")


class ChartDetailsView(ChartView):
    def get(self, request: HttpRequest, name: str) -> HttpResponse:
        context, name = self.chart(name)
        if not self.form.is_valid():
            return self.invalid()
        return HttpResponse(chart_details(context, name))


class ChartCsvView(ChartView):
    def get(self, request: HttpRequest, name: str) -> HttpResponse | StreamingHttpResponse:
        context, name = self.chart(name)
        if not self.form.is_valid():
            return self.invalid()
        data: ChartData = chart_data(context, [name])[name]
        header = [column.label for column in data.columns]
        rows = ([csv_value(row.get(column.key)) for column in data.columns] for row in data.rows)
        return csv_response(f"{name}-{context.filters.start:%Y%m%d}-{context.filters.end:%Y%m%d}", header, rows)


class ChartIndexView(OrganizationMixin, View):
    """The list of charts and their URLs, for tools that read the JSON."""

    def get(self, request: HttpRequest) -> JsonResponse:
        return JsonResponse(
            {
                "charts": [
                    {
                        "name": chart.name,
                        "title": str(chart.title),
                        "description": str(chart.description),
                        "json": reverse("dashboards:chart_json", args=[chart.name]),
                        "csv": reverse("dashboards:chart_csv", args=[chart.name]),
                    }
                    for chart in CHARTS.values()
                ],
                # For the tools that read them: not translated.
                "parameters": {
                    "period": "30d, 90d, 12m (default), ytd, 24m or custom (with start and end, YYYY-MM-DD)",
                    "account": "a bank account id; repeat for several (default: every account counted)",
                    "currency": "ISO code (default EUR)",
                    "group": "day, week or month (default): the flows chart's grouping",
                },
            }
        )
