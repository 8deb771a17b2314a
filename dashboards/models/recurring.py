from __future__ import annotations

import datetime

from django.db import models

from core.models import TenantModel


class RecurringFlow(TenantModel):
    """A flow found repeating in bank history (salary, rent, a subscription), projected by the forecast."""

    counterparty = models.CharField(max_length=200)
    currency = models.CharField(max_length=3)
    amount = models.DecimalField(max_digits=16, decimal_places=2, help_text="Typical amount; money out is negative.")
    interval_days = models.PositiveIntegerField()
    occurrences = models.PositiveIntegerField()
    last_date = models.DateField()
    next_date = models.DateField()
    detected_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["next_date", "counterparty"]

    def __str__(self) -> str:
        return f"{self.counterparty} {self.amount} {self.currency} every {self.interval_days} days"

    def dates_until(self, end: datetime.date, start: datetime.date) -> list[datetime.date]:
        """The projected dates of this flow from `start` up to and including `end`."""
        step = datetime.timedelta(days=self.interval_days)
        day = self.next_date
        while day < start:
            day += step
        dates = []
        while day <= end:
            dates.append(day)
            day += step
        return dates
