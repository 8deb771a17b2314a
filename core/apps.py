from __future__ import annotations

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Organisations, accounts and audit"

    def ready(self) -> None:
        from core import signals  # noqa: F401  (connects the audit and cache receivers)
