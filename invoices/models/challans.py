"""Delivery notes (challans): what was delivered, later turned into an invoice."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.urls import reverse

from invoices.models.base import ActiveManager, BillingDocument, SoftDeleteQuerySet
from invoices.models.clients import Client
from invoices.models.invoices import Invoice
from invoices.models.lines import LineItem


class ChallanQuerySet(SoftDeleteQuerySet["Challan"]):
    pass


class Challan(BillingDocument):
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="challans")
    number = models.CharField(max_length=32)
    date = models.DateField()
    invoice = models.ForeignKey(Invoice, on_delete=models.SET_NULL, null=True, blank=True, related_name="challans")
    delivery_address = models.TextField(blank=True)
    notes = models.TextField(blank=True)

    objects = ActiveManager.from_queryset(ChallanQuerySet)()
    all_objects = ChallanQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-id"]
        constraints = [models.UniqueConstraint(fields=["organization", "number"], name="challan_unique_number")]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("invoices:challan_detail", args=[self.pk])


class ChallanItem(LineItem):
    challan = models.ForeignKey(Challan, on_delete=models.CASCADE, related_name="items")
    unit_price = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0.00"))

    class Meta(LineItem.Meta):
        pass
