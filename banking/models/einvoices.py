"""Documents received over Peppol (purchase invoices and credit notes from suppliers): the original
XML as it arrived, its embedded PDF, what we read from it, our validation of it, and the bill it
became. Stored once per access-point document: a second delivery of the same id changes nothing.
A supplier sending the same document again (a new access-point id, the same supplier, type and
number) is kept as a repeat of the first (`repeat_of`), with no bill of its own.

Documents that belong to no organisation we know, or that cannot be read, are set aside as
`QuarantinedDocument`s: not tenant data (whose they are is what we could not tell), and a record
that the inbox poll has seen them, so it does not fetch them again."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from banking.models.accounts import RawJSONEncoder
from banking.models.bills import Bill
from core.models import TenantModel


class ReceivedDocumentType(models.TextChoices):
    INVOICE = "INVOICE", _("Invoice")
    CREDIT_NOTE = "CREDIT_NOTE", _("Credit note")


class ReceivedDocument(TenantModel):
    document_id = models.CharField(_("access point document id"), max_length=100)
    document_type = models.CharField(max_length=16, choices=ReceivedDocumentType.choices)
    number = models.CharField(_("supplier's document number"), max_length=100)
    issue_date = models.DateField()
    due_date = models.DateField(null=True, blank=True)
    currency = models.CharField(max_length=3)
    supplier_name = models.CharField(max_length=200)
    supplier_vat_id = models.CharField(max_length=32, blank=True)
    supplier_legal_id = models.CharField(_("supplier's register number"), max_length=32, blank=True)
    supplier_endpoint = models.CharField(_("supplier's Peppol id"), max_length=64, blank=True)
    receiver_endpoint = models.CharField(_("receiver's Peppol id"), max_length=64)
    net_amount = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0.00"))
    vat_amount = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0.00"))
    payable_amount = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0.00"))
    payment_reference = models.CharField(max_length=140, blank=True)
    iban = models.CharField("IBAN", max_length=34, blank=True)
    billing_reference = models.CharField(_("credited invoice number"), max_length=100, blank=True)
    # One entry per line: description, quantity, unit_code, unit_price, net_amount, vat_category,
    # vat_rate (numbers as strings, exactly as in the document).
    lines = models.JSONField(default=list, encoder=RawJSONEncoder)
    xml = models.BinaryField(_("original XML"))
    pdf = models.BinaryField(_("embedded PDF"), null=True, blank=True)
    pdf_filename = models.CharField(max_length=200, blank=True)
    # Our own check of the document (invoices.einvoicing.validation): an invalid one is kept and
    # shown with its issues, never dropped.
    valid = models.BooleanField(default=True)
    validation_issues = models.JSONField(default=list)  # [{"rule_id", "flag", "message", "location"}]
    rules_version = models.CharField(max_length=200, blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    bill = models.OneToOneField(
        Bill, on_delete=models.SET_NULL, null=True, blank=True, related_name="received_document"
    )
    # A credit note whose BillingReference names a Peppol bill we have: the bill it reduced.
    credited_bill = models.ForeignKey(
        Bill, on_delete=models.SET_NULL, null=True, blank=True, related_name="credit_documents"
    )
    # What identifies the supplier across its documents: register number, else VAT id, else Peppol id.
    supplier_key = models.CharField(max_length=64, blank=True)
    # The same document received before under another access-point id: this one has no bill.
    repeat_of = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="repeats")

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "document_id"], name="received_document_unique_id"),
            # One original per supplier's document: the others are repeats of it.
            models.UniqueConstraint(
                fields=["organization", "supplier_key", "document_type", "number"],
                condition=models.Q(repeat_of__isnull=True) & ~models.Q(supplier_key=""),
                name="received_document_unique_original",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.supplier_name} {self.number}"

    def get_absolute_url(self) -> str:
        return reverse("invoices:received_detail", args=[self.pk])

    @property
    def fatal_rule_ids(self) -> list[str]:
        return [issue["rule_id"] for issue in self.validation_issues if issue.get("flag") == "fatal"]

    @property
    def warning_rule_ids(self) -> list[str]:
        return [issue["rule_id"] for issue in self.validation_issues if issue.get("flag") != "fatal"]


class QuarantineReason(models.TextChoices):
    UNKNOWN_RECEIVER = "unknown_receiver", _("Addressed to no organisation we know")
    UNREADABLE = "unreadable", _("Cannot be read")
    TOO_LARGE = "too_large", _("Too large")
    REFUSED_LINK = "refused_link", _("Download link refused")


class QuarantinedDocument(models.Model):
    """An inbox document we could not place or read, set aside once: the poll skips it from then
    on. Deleting the row (e.g. once the receiver has set up its billing profile) lets the next
    poll try it again. Not tenant-scoped: whose it is is what could not be told."""

    document_id = models.CharField(_("access point document id"), max_length=100, unique=True)
    reason = models.CharField(max_length=16, choices=QuarantineReason.choices)
    detail = models.CharField(max_length=500, blank=True)
    receiver = models.CharField(_("receiver's Peppol id"), max_length=64, blank=True)
    xml = models.BinaryField(_("original XML"), null=True, blank=True)
    quarantined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-quarantined_at", "-id"]

    def __str__(self) -> str:
        return f"{self.document_id} ({self.reason})"
