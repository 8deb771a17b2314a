"""The dashboards' pages (the overview and a tab per subject), chart data (JSON and CSV), aging
drill-down and forecast threshold."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from dashboards.views import aging, charts, forecast, pages

app_name = "dashboards"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", pages.overview, name="overview"),
    path("cash/", pages.TabView.as_view(tab=pages.TABS_BY_NAME["cash"]), name="cash"),
    path("flows/", pages.TabView.as_view(tab=pages.TABS_BY_NAME["flows"]), name="flows"),
    path("forecast/", pages.TabView.as_view(tab=pages.TABS_BY_NAME["forecast"]), name="forecast"),
    path("receivables/", pages.TabView.as_view(tab=pages.TABS_BY_NAME["receivables"]), name="receivables"),
    path("charts/", charts.ChartIndexView.as_view(), name="chart_index"),
    path("charts/<slug:name>.json", charts.ChartJsonView.as_view(), name="chart_json"),
    path("charts/<slug:name>.html", charts.ChartDetailsView.as_view(), name="chart_details"),
    path("charts/<slug:name>.csv", charts.ChartCsvView.as_view(), name="chart_csv"),
    path("aging/<slug:bucket>/", aging.AgingDrilldownView.as_view(), name="aging_bucket"),
    path("forecast/threshold/", forecast.ThresholdUpdateView.as_view(), name="forecast_threshold"),
]
