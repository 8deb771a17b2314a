from __future__ import annotations

from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "dashboards"
    verbose_name = "Cash-flow dashboards"

    def ready(self) -> None:
        from dashboards import figures, receivers  # noqa: F401  (registers the charts, connects the receivers)
