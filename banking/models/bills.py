"""Bills to pay, from the bookkeeping: the outflows the dashboards expect."""

from __future__ import annotations

from decimal import Decimal

from django.db import models

from banking.models.accounts import RawJSONEncoder
from core.models import TenantModel
from integrations.models.connections import Connection, counted_q


class BillQuerySet(models.QuerySet["Bill"]):
    def open(self) -> BillQuerySet:
        return self.filter(settled_on__isnull=True, open_amount__gt=0)

    def counted(self) -> BillQuerySet:
        """Bills of connections whose data the figures count (see `counted_q`)."""
        return self.filter(counted_q("connection__"))


class Bill(TenantModel):
    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="bills")
    external_id = models.CharField(max_length=64)
    supplier = models.CharField(max_length=200)
    supplier_code = models.CharField(max_length=64, blank=True)
    reference = models.CharField(max_length=100, blank=True)
    description = models.CharField(max_length=300, blank=True)
    date = models.DateField(null=True, blank=True)
    due_date = models.DateField(null=True, blank=True)
    currency = models.CharField(max_length=3, default="EUR")
    original_amount = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0.00"))
    open_amount = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0.00"))
    # Set when the bill left the provider's open list: it was paid (or written off) then.
    settled_on = models.DateField(null=True, blank=True)
    last_seen_on = models.DateField(null=True, blank=True)
    raw = models.JSONField(default=dict, encoder=RawJSONEncoder)

    objects = BillQuerySet.as_manager()

    class Meta:
        db_table = "integrations_bill"  # its name before the move to this app
        ordering = ["due_date", "id"]
        constraints = [models.UniqueConstraint(fields=["connection", "external_id"], name="bill_unique_external_id")]
        indexes = [models.Index(fields=["organization", "settled_on", "due_date"], name="bill_open_due")]

    def __str__(self) -> str:
        return f"{self.supplier} {self.reference}".strip()
