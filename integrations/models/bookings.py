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


class BookingClaim(models.Model):
    """One booking of an invoice in the bookkeeping runs at a time, across processes and through a
    cache outage: the row is the claim, the unique invoice refuses a second one. `token` names the
    request holding it, so only that request releases it; a claim older than a worker could ever
    take is left by a dead worker and is taken over."""

    invoice = models.OneToOneField("invoices.Invoice", on_delete=models.CASCADE, related_name="booking_claim")
    token = models.UUIDField()
    claimed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.invoice_id} being booked since {self.claimed_at:%Y-%m-%d %H:%M:%S}"
