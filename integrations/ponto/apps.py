from __future__ import annotations

from django.apps import AppConfig


class PontoConfig(AppConfig):
    name = "integrations.ponto"
    label = "ponto"
    verbose_name = "Ponto"

    def ready(self) -> None:
        from integrations import connectors
        from integrations.models import Provider
        from integrations.ponto.connector import PontoConnector

        connectors.register(Provider.PONTO, PontoConnector())
