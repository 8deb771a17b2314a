from __future__ import annotations

import calendar
import datetime
import itertools

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import TenantModel

# Cadences stepped by calendar months rather than days: a rent paid on the 1st stays on the 1st.
MONTHS_OF_INTERVAL = {30: 1, 91: 3}


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later, or the month's last day when it is shorter (31 Jan + 1 = 28 Feb)."""
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return datetime.date(year, month + 1, min(day.day, last))


class RecurringFlow(TenantModel):
    """A flow found repeating in bank history (salary, rent, a subscription), projected by the forecast.

    `interval_days` is the cadence: 7 (weekly), 14 (fortnightly), 30 (monthly) or 91 (quarterly);
    monthly and quarterly flows step by calendar months from `last_date`.
    """

    counterparty = models.CharField(max_length=200)
    currency = models.CharField(max_length=3)
    amount = models.DecimalField(max_digits=16, decimal_places=2, help_text=_("Typical amount; money out is negative."))
    interval_days = models.PositiveIntegerField()
    occurrences = models.PositiveIntegerField()
    last_date = models.DateField()
    next_date = models.DateField()
    detected_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "dashboards_recurringflow"  # its name before the move to this app
        ordering = ["next_date", "counterparty"]

    def __str__(self) -> str:
        return f"{self.counterparty} {self.amount} {self.currency} every {self.interval_days} days"

    def step(self, day: datetime.date) -> datetime.date:
        """The date one interval after `day`."""
        months = MONTHS_OF_INTERVAL.get(self.interval_days)
        return add_months(day, months) if months else day + datetime.timedelta(days=self.interval_days)

    def dates_until(self, end: datetime.date, start: datetime.date) -> list[datetime.date]:
        """The projected dates of this flow from `start` up to and including `end`."""
        months = MONTHS_OF_INTERVAL.get(self.interval_days)
        if months:  # counted from the last occurrence, so a short month does not shift the ones after it
            candidates = (add_months(self.last_date, months * n) for n in itertools.count(1))
        else:
            step = datetime.timedelta(days=self.interval_days)
            candidates = (self.next_date + step * n for n in itertools.count(0))
        dates = []
        for day in candidates:
            if day > end:
                break
            if day >= start and day >= self.next_date:
                dates.append(day)
        return dates
