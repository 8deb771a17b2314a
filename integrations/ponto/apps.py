from __future__ import annotations

from django.apps import AppConfig


class PontoConfig(AppConfig):
    name = "integrations.ponto"
    label = "ponto"
    verbose_name = "Ponto"
