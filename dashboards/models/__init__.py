"""Dashboard state: daily rollups and the organisation's data version."""

from __future__ import annotations

from dashboards.models.rollups import CounterpartyRollup, DailyRollup
from dashboards.models.state import DashboardState

__all__ = ["CounterpartyRollup", "DailyRollup", "DashboardState"]
