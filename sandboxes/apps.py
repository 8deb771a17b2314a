from __future__ import annotations

from django.apps import AppConfig


class SandboxesConfig(AppConfig):
    """Installed only where the package exists, for its `sandbox` management command."""

    name = "sandboxes"
    verbose_name = "Provider sandboxes"
