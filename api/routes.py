"""Which viewset answers under which prefix of `/api/v1/`: each app lists its own."""

from __future__ import annotations

from typing import Any

from banking.api.routes import ROUTES as BANKING
from dashboards.api.routes import ROUTES as DASHBOARDS
from integrations.api.routes import ROUTES as INTEGRATIONS
from invoices.api.routes import ROUTES as BILLING

ROUTES: list[tuple[str, Any, str]] = [*BILLING, *BANKING, *INTEGRATIONS, *DASHBOARDS]
