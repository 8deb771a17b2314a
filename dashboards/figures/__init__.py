"""The dashboard's charts; importing this package registers them all."""

from __future__ import annotations

from dashboards.figures import cash, flows, kpis, receivables

__all__ = ["cash", "flows", "kpis", "receivables"]
