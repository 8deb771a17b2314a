"""The dashboard's charts; importing this package registers them all."""

from __future__ import annotations

from dashboards.figures import cash, flows, forecast, kpis, receivables

__all__ = ["cash", "flows", "forecast", "kpis", "receivables"]
