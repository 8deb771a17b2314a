"""The integrations app's prefixes under `/api/v1/`."""

from __future__ import annotations

from typing import Any

from integrations.api.connections import ConnectionViewSet

ROUTES: list[tuple[str, Any, str]] = [
    ("connections", ConnectionViewSet, "connection"),
]
