"""The dashboards' pages, chart data (JSON and CSV), category rules, aging drill-down and reconciliation."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from dashboards.views import aging, charts, forecast, reconciliation, rules

app_name = "dashboards"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", charts.DashboardView.as_view(), name="overview"),
    path("charts/", charts.ChartIndexView.as_view(), name="chart_index"),
    path("charts/<slug:name>.json", charts.ChartJsonView.as_view(), name="chart_json"),
    path("charts/<slug:name>.html", charts.ChartDetailsView.as_view(), name="chart_details"),
    path("charts/<slug:name>.csv", charts.ChartCsvView.as_view(), name="chart_csv"),
    path("rules/", rules.RuleListView.as_view(), name="rules"),
    path("rules/<int:pk>/", rules.RuleUpdateView.as_view(), name="rule_edit"),
    path("rules/<int:pk>/delete/", rules.RuleDeleteView.as_view(), name="rule_delete"),
    path("rules/<int:pk>/up/", rules.RuleUpView.as_view(), name="rule_up"),
    path("rules/<int:pk>/down/", rules.RuleDownView.as_view(), name="rule_down"),
    path("aging/<slug:bucket>/", aging.AgingDrilldownView.as_view(), name="aging_bucket"),
    path("forecast/threshold/", forecast.ThresholdUpdateView.as_view(), name="forecast_threshold"),
    path("reconciliation/", reconciliation.reconciliation_list, name="reconciliation"),
    path("reconciliation/<int:pk>/", reconciliation.MatchDetailView.as_view(), name="match_detail"),
    path("reconciliation/<int:pk>/confirm/", reconciliation.ConfirmMatchView.as_view(), name="match_confirm"),
    path("reconciliation/<int:pk>/split/", reconciliation.SplitMatchView.as_view(), name="match_split"),
    path("reconciliation/<int:pk>/reject/", reconciliation.RejectMatchView.as_view(), name="match_reject"),
    path("reconciliation/<int:pk>/reverse/", reconciliation.ReverseMatchView.as_view(), name="match_reverse"),
]
