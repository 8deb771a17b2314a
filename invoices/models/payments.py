"""Payments received: on an invoice, or general payments on the client's account."""

from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.formatting import format_date, format_money
from invoices.models.base import ActiveManager, BillingDocument, SoftDeleteQuerySet
from invoices.models.clients import Client
from invoices.models.invoices import Invoice


class PaymentMethod(models.TextChoices):
    BANK_TRANSFER = "bank_transfer", _("Bank transfer")
    DIRECT_DEBIT = "direct_debit", _("Direct debit")
    CARD = "card", _("Card")
    CASH = "cash", _("Cash")
    OTHER = "other", _("Other")


class PaymentQuerySet(SoftDeleteQuerySet["Payment"]):
    pass


class Payment(BillingDocument):
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="payments")
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, null=True, blank=True, related_name="payments")
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3, default="EUR")
    date = models.DateField()
    method = models.CharField(max_length=16, choices=PaymentMethod.choices, default=PaymentMethod.BANK_TRANSFER)
    reference = models.CharField(max_length=140, blank=True)
    is_overpayment = models.BooleanField(
        default=False, help_text=_("Accept more than the open amount; the excess is credited to the client.")
    )
    notes = models.TextField(blank=True)

    objects = ActiveManager.from_queryset(PaymentQuerySet)()
    all_objects = PaymentQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-id"]
        indexes = [
            models.Index(fields=["organization", "is_active", "-date", "-id"], name="payment_list"),
            models.Index(fields=["client", "date"], name="payment_client_date"),
        ]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="payment_amount_positive")]

    def __str__(self) -> str:
        target = self.invoice.number if self.invoice_id and self.invoice else "general payment"
        return f"{self.currency} {self.amount} on {self.date:%Y-%m-%d} ({target})"

    @property
    def summary(self) -> str:
        target = self.invoice.number if self.invoice_id and self.invoice else gettext("general payment")
        return gettext("%(amount)s on %(date)s (%(target)s)") % {
            "amount": format_money(self.amount, self.currency),
            "date": format_date(self.date),
            "target": target,
        }

    def get_absolute_url(self) -> str:
        if self.invoice_id:
            return reverse("invoices:invoice_detail", args=[self.invoice_id])
        return reverse("invoices:client_detail", args=[self.client_id])
