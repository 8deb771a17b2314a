"""The dashboards app's prefixes under `/api/v1/`."""

from __future__ import annotations

from typing import Any

ROUTES: list[tuple[str, Any, str]] = []
