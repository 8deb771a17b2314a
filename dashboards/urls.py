"""The dashboards' pages, chart data (JSON and CSV), category rules, aging drill-down and reconciliation."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver

app_name = "dashboards"

urlpatterns: list[URLPattern | URLResolver] = []
