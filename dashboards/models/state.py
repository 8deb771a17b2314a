from __future__ import annotations

from decimal import Decimal

from django.db import models

from core.models import Organization


class DashboardState(models.Model):
    """One row per organisation: the data version that keys the cached figures, and settings."""

    organization = models.OneToOneField(Organization, on_delete=models.CASCADE, related_name="+")
    # Bumped after every committed write that changes a figure; cached aggregations are keyed by it.
    data_version = models.PositiveBigIntegerField(default=1)
    cash_threshold = models.DecimalField(
        "low-cash threshold",
        max_digits=16,
        decimal_places=2,
        default=Decimal("0.00"),
        help_text="The forecast warns of the first day the projected balance falls below this amount.",
    )
    # Incoming transactions with a higher id have not been through reconciliation yet.
    reconciled_through_id = models.BigIntegerField(default=0)
    # The bank accounts counted at the last reconciliation: rows of an account counted since then
    # (a first sync that succeeded, a source chosen) lie below the watermark and are read once.
    reconciled_account_ids = models.JSONField(default=list)

    def __str__(self) -> str:
        return f"dashboard state of organisation {self.organization_id} (v{self.data_version})"
