"""Credit notes (returns): a numbered document that reduces what an invoice asks for."""

from __future__ import annotations

from django.db import models
from django.urls import reverse

from invoices.models.base import ActiveManager, BillingDocument, SoftDeleteQuerySet
from invoices.models.clients import Client
from invoices.models.invoices import Invoice
from invoices.models.lines import LineItem
from invoices.money import ZERO


class CreditNoteQuerySet(SoftDeleteQuerySet["CreditNote"]):
    pass


class CreditNote(BillingDocument):
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="credit_notes")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="credit_notes")
    number = models.CharField(max_length=32)
    issue_date = models.DateField()
    currency = models.CharField(max_length=3, default="EUR")
    reason = models.CharField(max_length=300, blank=True)
    subtotal = models.DecimalField(max_digits=14, decimal_places=2, default=ZERO)
    vat_total = models.DecimalField(max_digits=14, decimal_places=2, default=ZERO)
    total = models.DecimalField(max_digits=14, decimal_places=2, default=ZERO)

    objects = ActiveManager.from_queryset(CreditNoteQuerySet)()
    all_objects = CreditNoteQuerySet.as_manager()

    class Meta:
        ordering = ["-issue_date", "-id"]
        constraints = [models.UniqueConstraint(fields=["organization", "number"], name="credit_note_unique_number")]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("invoices:invoice_detail", args=[self.invoice_id])


class CreditNoteItem(LineItem):
    credit_note = models.ForeignKey(CreditNote, on_delete=models.CASCADE, related_name="items")

    class Meta(LineItem.Meta):
        pass
