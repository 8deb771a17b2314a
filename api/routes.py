"""Which viewset answers under which prefix of `/api/v1/`, one block per app."""

from __future__ import annotations

from typing import Any

from invoices.api.clients import ClientViewSet

ROUTES: list[tuple[str, Any, str]] = [
    ("clients", ClientViewSet, "client"),
]
