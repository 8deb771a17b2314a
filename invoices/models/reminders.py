"""Payment reminders sent, one row per invoice and stage so none is ever sent twice."""

from __future__ import annotations

from django.db import models

from core.models import TenantModel
from invoices.models.invoices import Invoice


class ReminderLog(TenantModel):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="reminders")
    # Days relative to the due date: -3 is three days before, 7 a week after.
    offset_days = models.SmallIntegerField()
    recipient = models.EmailField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sent_at"]
        constraints = [models.UniqueConstraint(fields=["invoice", "offset_days"], name="reminder_once_per_stage")]

    def __str__(self) -> str:
        return f"{self.invoice} reminder at {self.offset_days:+d} days"
