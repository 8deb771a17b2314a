"""Invoices made here and booked in the bookkeeping: each attempt and what the provider said."""

from __future__ import annotations

from django.db import models

from core.models import TenantModel
from integrations.models.connections import Connection


class ExternalBooking(TenantModel):
    invoice = models.ForeignKey("invoices.Invoice", on_delete=models.CASCADE, related_name="external_bookings")
    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="bookings")
    succeeded = models.BooleanField()
    external_reference = models.CharField(max_length=100, blank=True)
    message = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.invoice_id} {'booked' if self.succeeded else 'not booked'} in {self.connection}"
