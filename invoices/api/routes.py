"""The billing core's prefixes under `/api/v1/`."""

from __future__ import annotations

from typing import Any

from invoices.api.clients import ClientViewSet

ROUTES: list[tuple[str, Any, str]] = [
    ("clients", ClientViewSet, "client"),
]
