from __future__ import annotations

from django.apps import AppConfig


class YukiConfig(AppConfig):
    name = "integrations.yuki"
    label = "yuki"
    verbose_name = "Yuki"
