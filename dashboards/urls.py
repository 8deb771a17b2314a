"""The dashboards' pages, chart data (JSON and CSV), aging drill-down and forecast."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from dashboards.views import aging, charts, forecast

app_name = "dashboards"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", charts.DashboardView.as_view(), name="overview"),
    path("charts/", charts.ChartIndexView.as_view(), name="chart_index"),
    path("charts/<slug:name>.json", charts.ChartJsonView.as_view(), name="chart_json"),
    path("charts/<slug:name>.html", charts.ChartDetailsView.as_view(), name="chart_details"),
    path("charts/<slug:name>.csv", charts.ChartCsvView.as_view(), name="chart_csv"),
    path("aging/<slug:bucket>/", aging.AgingDrilldownView.as_view(), name="aging_bucket"),
    path("forecast/threshold/", forecast.ThresholdUpdateView.as_view(), name="forecast_threshold"),
]
