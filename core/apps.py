from __future__ import annotations

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Organisations, accounts and audit"

    def ready(self) -> None:
        # Importing these modules connects their receivers.
        from core import logging, signals  # noqa: F401
