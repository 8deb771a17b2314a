"""The dashboards app's prefixes under `/api/v1/`."""

from __future__ import annotations

from typing import Any

from dashboards.api.charts import ChartViewSet

ROUTES: list[tuple[str, Any, str]] = [
    ("dashboards/charts", ChartViewSet, "chart"),
]
