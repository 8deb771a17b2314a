from __future__ import annotations

from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = "Connections"

    def ready(self) -> None:
        from integrations import receivers  # noqa: F401  (connects the receivers)
