"""The dashboard page, and every chart's data: JSON and CSV (documented in README.md), and the
HTML table the page shows."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, QueryDict, StreamingHttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views import View
from django.views.generic import TemplateView

from banking import sources
from banking.models import BankAccount, Match, MatchStatus
from core.csv import csv_response
from core.permissions import OrganizationMixin
from dashboards.charts import CHARTS, ChartData, Context, chart_data, chart_json, plain
from dashboards.filters import FilterForm, default_filters
from dashboards.models import DashboardState
from dashboards.state import cache_key, cached, remember, remembered, state_for

# The charts drawn on the page, in order; the key figures' tiles read the first two.
TILE_CHARTS = ["kpis", "position"]
PAGE_CHARTS = ["kpis", "position", "balance", "flows", "categories", "counterparties", "forecast", "aging", "payables"]


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
        lambda: render_to_string("dashboards/_chart_details.html", {"data": chart_data(context, [name])[name]}),
    )


# Where the user's own threshold form (with its CSRF token) goes in the forecast's section; the
# rest of the page's body is the same for every user of the organisation, so it is cached.
# Escaped user text can never read as this comment.
THRESHOLD_SLOT = "<!-- threshold form -->"


def page_body(context: Context, form: FilterForm, accounts: list[BankAccount]) -> str:
    """The heading, filters, key figures and chart sections, as HTML with THRESHOLD_SLOT where
    the threshold form goes. With valid filters they are cached under the data version (one
    cache read on a repeat view) and the form shows them as they apply, so equivalent URLs share
    a copy; refused filters show the form with its errors, uncached."""
    valid = form.is_valid()
    key = context.key("page", "body")
    html: str | None = remembered(key) if valid else None
    if html is None:
        html = render_to_string(
            "dashboards/_dashboard_body.html",
            {
                "form": FilterForm(QueryDict(context.filters.query()), accounts) if valid else form,
                "filters": context.filters,
                # Every change to a match moves the data version, so the count is cached with the figures.
                "tiles": chart_data(context, TILE_CHARTS),
                "review_count": Match.objects.filter(
                    organization_id=context.organization_id, status=MatchStatus.SUGGESTED
                ).count(),
                "charts": [CHARTS[name] for name in PAGE_CHARTS],
                "threshold_slot": mark_safe(THRESHOLD_SLOT),  # noqa: S308  (a constant)
            },
        )
        if valid:
            remember(key, html)
    return html


class DashboardView(DashboardMixin, TemplateView):
    """The key figures, and a section per chart whose figure and table the page's script loads
    from `chart_json` and `chart_details`: the page waits for no chart, and each is cached alone."""

    template_name = "dashboards/dashboard.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        state = state_for(self.organization.pk)
        # The body is a function of the URL's filters, the data version and the day alone: under
        # the URL as asked, a repeat view reads neither the accounts nor validates the filters
        # (a third of its time); page_body keeps one copy for every URL of the same filters.
        as_asked = cache_key(self.organization.pk, state.data_version, "page:url", self.request.GET.urlencode())
        html: str | None = remembered(as_asked)
        if html is None:
            html = page_body(self.chart_context(self.request, state), self.form, self.accounts)
            if self.form.is_valid():
                remember(as_asked, html)
        before, after = html.split(THRESHOLD_SLOT)
        return super().get_context_data(
            **kwargs,
            body=(mark_safe(before), mark_safe(after)),  # noqa: S308  (our own templates' output)
            threshold=state.cash_threshold,
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
                        "title": chart.title,
                        "description": chart.description,
                        "json": reverse("dashboards:chart_json", args=[chart.name]),
                        "csv": reverse("dashboards:chart_csv", args=[chart.name]),
                    }
                    for chart in CHARTS.values()
                ],
                "parameters": {
                    "period": "30d, 90d, 12m (default), ytd, 24m or custom (with start and end, YYYY-MM-DD)",
                    "account": "a bank account id; repeat for several (default: every account counted)",
                    "currency": "ISO code (default EUR)",
                    "group": "day, week or month (default): the flows chart's grouping",
                },
            }
        )
