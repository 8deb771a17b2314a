from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.models import TenantModel


class Evidence(models.TextChoices):
    STRUCTURED_REFERENCE = "reference", _("Structured payment reference")
    INVOICE_NUMBER = "number", _("Invoice number in the remittance text")
    IBAN_AMOUNT = "iban_amount", _("Client's IBAN and the exact open amount")
    CLIENT_IBAN = "iban", _("Client's IBAN")


class MatchStatus(models.TextChoices):
    # A match's state, with a context: "Applied" or "Rejected" of an invoice or a payment may take
    # another word (or gender) in French.
    SUGGESTED = "suggested", pgettext_lazy("match status", "Waiting for review")
    APPLIED = "applied", pgettext_lazy("match status", "Applied")
    REJECTED = "rejected", pgettext_lazy("match status", "Rejected")
    REVERSED = "reversed", pgettext_lazy("match status", "Reversed")


class Match(TenantModel):
    """What reconciliation concluded about one incoming bank transaction."""

    transaction = models.OneToOneField(
        "banking.BankTransaction", on_delete=models.CASCADE, related_name="reconciliation"
    )
    status = models.CharField(max_length=16, choices=MatchStatus.choices, default=MatchStatus.SUGGESTED)
    evidence = models.CharField(max_length=16, choices=Evidence.choices)
    automatic = models.BooleanField(default=False, help_text=_("Applied by the matcher without review."))
    note = models.CharField(max_length=300, blank=True)
    candidates = models.ManyToManyField("invoices.Invoice", related_name="+", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        db_table = "dashboards_match"  # its name before the move to this app (and its candidates' table's)
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["organization", "status", "-created_at"], name="match_org_status")]

    def __str__(self) -> str:
        return f"match of transaction {self.transaction_id}: {self.status}"


class Allocation(TenantModel):
    """The part of a matched transaction paid to one invoice, and the payment that recorded it."""

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="allocations")
    invoice = models.ForeignKey("invoices.Invoice", on_delete=models.PROTECT, related_name="+")
    payment = models.ForeignKey("invoices.Payment", on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0.00"))

    class Meta:
        db_table = "dashboards_allocation"  # its name before the move to this app
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.amount} to invoice {self.invoice_id}"
