from __future__ import annotations

from decimal import Decimal

from django.db import models

from core.models import TenantModel


class FlowTotals(TenantModel):
    """Money in and out (both positive) and the number of booked transactions of one account."""

    account = models.ForeignKey("banking.BankAccount", on_delete=models.CASCADE, related_name="+")
    currency = models.CharField(max_length=3)
    inflow = models.DecimalField(max_digits=18, decimal_places=2, default=Decimal("0.00"))
    outflow = models.DecimalField(max_digits=18, decimal_places=2, default=Decimal("0.00"))
    count = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


class DailyRollup(FlowTotals):
    """Booked bank transactions of one account, day and category, summed. Charts read these, not raw rows."""

    day = models.DateField()
    category = models.CharField(max_length=64, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "day", "category"], name="daily_rollup_unique"),
        ]
        indexes = [models.Index(fields=["organization", "day"], name="daily_rollup_org_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.category or 'uncategorised'} +{self.inflow} -{self.outflow}"


class CounterpartyRollup(FlowTotals):
    """Booked bank transactions of one account, month and counterparty, summed (top counterparties)."""

    month = models.DateField(help_text="The first day of the month.")
    counterparty = models.CharField(max_length=200)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "month", "counterparty"], name="counterparty_rollup_unique"),
        ]
        indexes = [models.Index(fields=["organization", "month"], name="counterparty_rollup_org_month")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.counterparty} +{self.inflow} -{self.outflow}"
