"""`/api/v1/dashboards/charts/`: the dashboard's charts by name, and each chart's data (its
series and table, not its drawing) under the dashboard's own filters, checked by its form."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer, inline_serializer
from rest_framework import serializers, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from api.forms import clean_with
from api.views.base import OrganizationScoped
from dashboards.charts import CHARTS, Context, chart_data
from dashboards.filters import GRANULARITIES, PERIODS, FilterForm
from dashboards.state import state_for
from dashboards.views.charts import counted_accounts


class ChartSummary(serializers.Serializer[Any]):
    name = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField()


# One page of every chart, in the list's shape: the list itself is the body, not an array of it.
@extend_schema_serializer(many=False)
class ChartList(serializers.Serializer[Any]):
    data = ChartSummary(many=True)  # type: ignore[assignment]  # the key every page of the API has
    next = serializers.CharField(allow_null=True)


ChartFilters = inline_serializer(
    "ChartFilters",
    {
        "period": serializers.ChoiceField(choices=list(PERIODS)),
        "start": serializers.DateField(),
        "end": serializers.DateField(),
        "currency": serializers.CharField(),
        "group": serializers.ChoiceField(choices=list(GRANULARITIES)),
        "accounts": serializers.ListField(child=serializers.IntegerField()),
    },
)
ChartColumns = inline_serializer(
    "ChartColumn",
    {
        "key": serializers.CharField(),
        "label": serializers.CharField(),
        "kind": serializers.ChoiceField(choices=["text", "date", "money", "number", "percent"]),
    },
    many=True,
)
ChartBody = inline_serializer(
    "ChartData",
    {
        "chart": serializers.CharField(),
        "title": serializers.CharField(),
        "columns": ChartColumns,
        "rows": serializers.ListField(
            child=serializers.DictField(),
            help_text="One object per row, keyed by the columns' keys: money as decimal strings, dates ISO 8601.",
        ),
        "summary": serializers.DictField(help_text="The chart's headline figures, if any (the forecast's)."),
        "filters": ChartFilters,
    },
)
_FILTERS = [
    OpenApiParameter("period", str, enum=list(PERIODS), description="12m unless given; custom needs start and end."),
    OpenApiParameter("start", OpenApiTypes.DATE, description="A custom period's first day."),
    OpenApiParameter("end", OpenApiTypes.DATE, description="A custom period's last day."),
    OpenApiParameter(
        "account", int, many=True, explode=True, description="A bank account id; repeat for several (default: all)."
    ),
    OpenApiParameter("currency", str, description="ISO code of the accounts counted (default EUR)."),
    OpenApiParameter("group", str, enum=list(GRANULARITIES), description="The flows' grouping (default month)."),
]


class ChartViewSet(OrganizationScoped[Any], viewsets.ViewSet):
    lookup_field = "name"
    lookup_value_regex = "[^/]+"

    @extend_schema(responses=ChartList)
    def list(self, request: Request) -> Response:
        """The dashboard's charts."""
        charts = [
            {"name": chart.name, "title": str(chart.title), "description": str(chart.description)}
            for chart in CHARTS.values()
        ]
        return Response({"data": charts, "next": None})

    @extend_schema(parameters=_FILTERS, responses=ChartBody)
    def retrieve(self, request: Request, name: str) -> Response:
        """One chart's series and table for the period and accounts asked for."""
        chart = CHARTS.get(name)
        if chart is None:
            raise NotFound(_("There is no chart of that name."))
        context = self.chart_context(request)
        data = chart_data(context, [chart.name])[chart.name]
        return Response({**data.as_json(), "filters": context.filters.as_json()})

    def chart_context(self, request: Request) -> Context:
        """The dashboard's filters as its form reads them (a value it refuses is a 400), over the
        accounts the figures count."""
        organization_id = self.organization.pk
        version = state_for(organization_id).data_version
        accounts = counted_accounts(organization_id, version)
        form = FilterForm(request.query_params, accounts)
        clean_with(form)
        filters = form.filters()
        return Context(
            organization_id=organization_id,
            version=version,
            filters=filters,
            accounts=tuple(account for account in accounts if not filters.accounts or account.pk in filters.accounts),
            today=timezone.localdate(),
        )
