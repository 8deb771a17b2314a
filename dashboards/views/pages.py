"""The dashboard's pages: the overview (also the home page) and a tab per subject. Each page's
charts are drawn by its script from `chart_json`; a tab's tables come from `chart_details`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import QueryDict
from django.template.loader import render_to_string
from django.urls import NoReverseMatch
from django.utils.functional import Promise
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django.views.generic import TemplateView

from banking.models import BankAccount
from core.links import link
from core.memory import rendered
from dashboards import checklist
from dashboards.charts import CHARTS, Context
from dashboards.filters import FilterForm, Filters
from dashboards.overview import overview_figures
from dashboards.state import cache_key, remember, remembered, state_for
from dashboards.views.charts import DashboardMixin
from integrations.banners import connection_notices
from integrations.models.connections import connection_name


@dataclass(frozen=True)
class Tab:
    name: str  # the page's URL name in the dashboards namespace
    label: str | Promise
    charts: tuple[str, ...]


TABS = (
    Tab("overview", _("Overview"), ()),
    Tab("cash", pgettext_lazy("dashboard tab: the cash position", "Cash"), ("position", "balance")),
    Tab("flows", _("Flows"), ("flows", "kpis", "categories", "counterparties")),
    Tab("forecast", _("Forecast"), ("forecast",)),
    Tab("receivables", _("Receivables & payables"), ("aging", "payables")),
)
TABS_BY_NAME = {tab.name: tab for tab in TABS}
# Every chart a tab draws, in the tabs' order.
PAGE_CHARTS = [name for tab in TABS for name in tab.charts]
# What the overview draws: where the cash has been, and where it is going.
OVERVIEW_CHARTS = ("balance", "forecast")

# Where the user's own threshold form (with its CSRF token) goes in the forecast's section; the
# rest of a tab's body is the same for every user of the organisation, so it is cached.
# Escaped user text can never read as this comment.
THRESHOLD_SLOT = "<!-- threshold form -->"


def tab_links(current: str, query: str) -> list[dict[str, Any]]:
    """The tabs as links keeping the filters that differ from the defaults."""
    suffix = f"?{query}" if query else ""
    return [
        {"label": str(tab.label), "url": link(f"dashboards:{tab.name}") + suffix, "current": tab.name == current}
        for tab in TABS
    ]


def optional_link(name: str) -> str:
    """The URL of a page another app may not have yet; empty when it does not resolve."""
    try:
        return link(name)
    except NoReverseMatch:
        return ""


def tab_body(tab: Tab, context: Context, form: FilterForm, accounts: list[BankAccount]) -> str:
    """A tab's heading, filters and chart sections, as HTML with THRESHOLD_SLOT where the
    threshold form goes. With valid filters it is cached under the data version (one cache read
    on a repeat view) and the form shows them as they apply, so equivalent URLs share a copy;
    refused filters show the form with its errors, uncached."""
    valid = form.is_valid()
    key = context.key("page", f"body:{tab.name}")
    html: str | None = remembered(key) if valid else None
    if html is None:
        html = render_to_string(
            "dashboards/_tab_body.html",
            {
                "tab": tab,
                "tabs": tab_links(tab.name, context.filters.link_query()),
                "form": FilterForm(QueryDict(context.filters.query()), accounts) if valid else form,
                "filters": context.filters,
                "charts": [CHARTS[name] for name in tab.charts],
                "threshold_slot": mark_safe(THRESHOLD_SLOT),  # noqa: S308  (a constant)
            },
        )
        if valid:
            remember(key, html)
    return html


class TabView(DashboardMixin, TemplateView):
    """One tab: the filters, and a section per chart whose figure and table the page's script
    loads from `chart_json` and `chart_details`: the page waits for no chart, and each is cached alone."""

    template_name = "dashboards/tab.html"
    tab: Tab = TABS_BY_NAME["cash"]  # each URL gives its own

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        state = state_for(self.organization.pk)
        # The body is a function of the URL's filters, the data version, the day and the
        # language alone: under the URL as asked, a repeat view reads neither the accounts nor
        # validates the filters; tab_body keeps one copy for every URL of the same filters.
        as_asked = cache_key(
            self.organization.pk, state.data_version, f"page:url:{self.tab.name}", self.request.GET.urlencode()
        )
        html: str | None = remembered(as_asked)
        if html is None:
            html = tab_body(self.tab, self.chart_context(self.request, state), self.form, self.accounts)
            if self.form.is_valid():
                remember(as_asked, html)
        before, slot, after = html.partition(THRESHOLD_SLOT)
        return super().get_context_data(
            **kwargs,
            tab=self.tab,
            body=(mark_safe(before), mark_safe(after)),  # noqa: S308  (our own templates' output)
            threshold_form=bool(slot),
            threshold=state.cash_threshold,
        )


class OverviewView(DashboardMixin, TemplateView):
    """The page a member lands on: the key figures, the cash position and the forecast, and
    what needs attention; for a new organisation, the first steps instead."""

    template_name = "dashboards/overview.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        request = self.organization_request
        organization_id = self.organization.pk
        state = state_for(organization_id)
        # The figures and the charts' query are a function of the URL, the data version, the
        # day and the language: a repeat view is one cache read.
        as_asked = cache_key(organization_id, state.data_version, "overview:url", request.GET.urlencode())
        found: tuple[dict[str, Any], Filters] | None = remembered(as_asked)
        if found is None:
            context = self.chart_context(request, state)
            found = overview_figures(context), context.filters
            if self.form.is_valid():
                remember(as_asked, found)
        figures, filters = found
        notices, providers = connection_notices(organization_id)
        # In the request's language, as the banners' context processor names them.
        banners = [{**each, "name": connection_name(each["display_name"], each["provider"])} for each in notices]
        steps = checklist.open_steps(organization_id, providers, figures["invoices_exist"])
        has_data = figures["accounts"] > 0 or figures["invoices_exist"]
        # Everything the page's content shows, as plain values: it is rendered once per process
        # for each (core.memory), so a repeat view renders only the page around it.
        shown = {
            "organization_name": self.organization.name,
            "role": self.membership.role,
            "banners": banners,
            "figures": figures,
            "filters": filters,
            "steps": steps,
            "steps_done": sum(step.done for step in steps or ()),
            "has_data": has_data,
            "tabs": tab_links("overview", filters.link_query()),
            "charts": [{"name": name, "title": str(CHARTS[name].title)} for name in OVERVIEW_CHARTS],
            "links": {
                "reconciliation": optional_link("banking:reconciliation"),
                "transactions": optional_link("banking:transactions"),
                "invoices": optional_link("invoices:invoice_list"),
                "audit_log": optional_link("audit_log"),
            },
        }
        return super().get_context_data(
            **kwargs,
            has_data=has_data,
            content=rendered("dashboards/_overview_content.html", shown, lambda: shown),
        )


# The home page (core.views.home) renders this view: a signed-in member lands on the overview.
overview = OverviewView.as_view()
