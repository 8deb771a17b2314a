from __future__ import annotations

from django.apps import AppConfig


class YukiConfig(AppConfig):
    name = "integrations.yuki"
    label = "yuki"
    verbose_name = "Yuki"

    def ready(self) -> None:
        from integrations import connectors
        from integrations.models import Provider
        from integrations.yuki import receivers  # noqa: F401  (connects the receivers)
        from integrations.yuki.connector import YukiConnector

        connectors.register(Provider.YUKI, YukiConnector())
