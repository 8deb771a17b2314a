"""Invoices and their lines; stored totals are recomputed by the services after each change."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Max, Q, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.formatting import format_money
from invoices.models.base import ActiveManager, BillingDocument, SoftDeleteQuerySet
from invoices.models.clients import Client
from invoices.models.lines import VAT_LINE_FIELDS, LineItem
from invoices.money import ZERO, round_cents
from invoices.references import format_reference
from invoices.vat import VatGroup, vat_breakdown, vat_total


class InvoiceStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SENT = "sent", _("Sent")
    PARTIALLY_PAID = "partially_paid", _("Partially paid")
    PAID = "paid", _("Paid")
    OVERDUE = "overdue", _("Overdue")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_STATUSES = (InvoiceStatus.SENT, InvoiceStatus.PARTIALLY_PAID, InvoiceStatus.OVERDUE)


class InvoiceSource(models.TextChoices):
    MANUAL = "manual", _("Made here")
    YUKI = "yuki", "Yuki"


class InvoiceQuerySet(SoftDeleteQuerySet["Invoice"]):
    def draft(self) -> InvoiceQuerySet:
        return self.filter(status=InvoiceStatus.DRAFT)

    def open(self) -> InvoiceQuerySet:
        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self) -> InvoiceQuerySet:
        return self.filter(status=InvoiceStatus.OVERDUE)

    def issued(self) -> InvoiceQuerySet:
        return self.exclude(status__in=(InvoiceStatus.DRAFT, InvoiceStatus.CANCELLED))

    def past_due(self, today: datetime.date) -> InvoiceQuerySet:
        """Open, not yet marked overdue, and due before today."""
        return self.filter(status__in=(InvoiceStatus.SENT, InvoiceStatus.PARTIALLY_PAID), due_date__lt=today)

    def filtered(
        self,
        *,
        q: str = "",
        status: str = "",
        overdue: bool = False,
        client: int | None = None,
        date_from: datetime.date | None = None,
        date_to: datetime.date | None = None,
        sort: str = "",
    ) -> InvoiceQuerySet:
        """The invoices a list's filters select (`q` in the number or the client's name, dates of
        issue), in the chosen order (newest first by default)."""
        invoices = self
        if q:
            invoices = invoices.filter(Q(number__icontains=q) | Q(client__name__icontains=q))
        if status:
            invoices = invoices.filter(status=status)
        if overdue:
            invoices = invoices.overdue()
        if client:
            invoices = invoices.filter(client_id=client)
        if date_from:
            invoices = invoices.filter(issue_date__gte=date_from)
        if date_to:
            invoices = invoices.filter(issue_date__lte=date_to)
        return invoices.order_by(sort or "-issue_date", "-id")


@dataclass(frozen=True)
class Sums:
    """What an invoice's stored totals follow from, each rounded to the cent."""

    net: Decimal  # of the lines
    vat: Decimal  # of the lines
    paid: Decimal  # active payments
    last_payment: datetime.date | None
    credited: Decimal  # active credit notes


def _sum(queryset: models.QuerySet[Any], field: str) -> Decimal:
    # SQLite sums decimals as floats: round back to the cent (exact on PostgreSQL anyway).
    return round_cents(queryset.aggregate(total=Coalesce(Sum(field), ZERO))["total"])


class Invoice(BillingDocument):
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="invoices")
    number = models.CharField(max_length=32)
    issue_date = models.DateField()
    due_date = models.DateField()
    currency = models.CharField(max_length=3, default="EUR")
    status = models.CharField(max_length=16, choices=InvoiceStatus.choices, default=InvoiceStatus.DRAFT)
    notes = models.TextField(blank=True)
    payment_reference = models.CharField(max_length=12, help_text=_("Structured communication, 12 digits"))
    source = models.CharField(max_length=8, choices=InvoiceSource.choices, default=InvoiceSource.MANUAL)
    external_id = models.CharField(max_length=64, blank=True)
    subtotal = models.DecimalField(max_digits=14, decimal_places=2, default=ZERO)
    vat_total = models.DecimalField(max_digits=14, decimal_places=2, default=ZERO)
    total = models.DecimalField(max_digits=14, decimal_places=2, default=ZERO)
    amount_paid = models.DecimalField(max_digits=14, decimal_places=2, default=ZERO)
    amount_credited = models.DecimalField(max_digits=14, decimal_places=2, default=ZERO)
    balance_due = models.DecimalField(max_digits=14, decimal_places=2, default=ZERO)
    # The date of the last payment, while the invoice is paid (not when credit notes settled it):
    # what the forecast learns a client's payment delay from.
    paid_on = models.DateField(null=True, blank=True)
    # Issued before VAT was computed once per category and rate: its VAT stays the sum of its
    # lines' rounded VAT, the figure its client was sent.
    vat_rounded_per_line = models.BooleanField(default=False, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    objects = ActiveManager.from_queryset(InvoiceQuerySet)()
    all_objects = InvoiceQuerySet.as_manager()

    class Meta:
        ordering = ["-issue_date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "number"], name="invoice_unique_number"),
            # Imported invoices may have no structured reference of ours.
            models.UniqueConstraint(
                fields=["organization", "payment_reference"],
                condition=~Q(payment_reference=""),
                name="invoice_unique_reference",
            ),
            models.UniqueConstraint(
                fields=["organization", "source", "external_id"],
                condition=~Q(external_id=""),
                name="invoice_unique_external_id",
            ),
            models.CheckConstraint(condition=Q(due_date__gte=models.F("issue_date")), name="invoice_due_after_issue"),
        ]
        indexes = [
            models.Index(fields=["organization", "is_active", "-issue_date", "-id"], name="invoice_list"),
            models.Index(fields=["organization", "status", "due_date"], name="invoice_status_due"),
            # The overdue list sorted by what is owed reads the first rows of this index.
            models.Index(
                fields=["organization", "status", "-balance_due", "-id"],
                condition=Q(is_active=True),
                name="invoice_status_balance",
            ),
            models.Index(fields=["client", "issue_date"], name="invoice_client_date"),
            models.Index(
                fields=["organization", "currency", "paid_on"],
                condition=Q(status="paid"),
                name="invoice_paid_on",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("invoices:invoice_detail", args=[self.pk])

    @property
    def formatted_reference(self) -> str:
        return format_reference(self.payment_reference) if self.payment_reference else ""

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    # --- transition guards: each raises a ValidationError that says why not ---------------

    def check_editable(self) -> None:
        if self.status != InvoiceStatus.DRAFT:
            raise ValidationError(gettext("Only a draft can be edited. Issue a credit note to correct a sent invoice."))

    def check_sendable(self) -> None:
        if self.status == InvoiceStatus.CANCELLED:
            raise ValidationError(gettext("A cancelled invoice cannot be sent."))
        if not self.items.exists():
            raise ValidationError(gettext("Add at least one line before sending the invoice."))

    def check_payable(self, currency: str) -> None:
        if self.status == InvoiceStatus.CANCELLED:
            raise ValidationError(gettext("This invoice is cancelled: a payment cannot be recorded on it."))
        if self.status == InvoiceStatus.DRAFT:
            raise ValidationError(gettext("This invoice is still a draft: send it before recording a payment."))
        if currency != self.currency:
            raise ValidationError(
                gettext("The payment is in %(payment_currency)s but the invoice is in %(invoice_currency)s.")
                % {"payment_currency": currency, "invoice_currency": self.currency}
            )

    def check_creditable(self, amount: Decimal) -> None:
        if not self.is_open:
            raise ValidationError(gettext("Only a sent, unpaid or partly paid invoice can be credited."))
        if amount > self.balance_due:
            raise ValidationError(
                gettext("The credit note (%(amount)s) is more than the open amount of the invoice (%(open)s).")
                % {"amount": format_money(amount, self.currency), "open": format_money(self.balance_due, self.currency)}
            )

    def check_cancellable(self) -> None:
        if self.status == InvoiceStatus.CANCELLED:
            raise ValidationError(gettext("This invoice is already cancelled."))
        if self.amount_paid or self.amount_credited:
            raise ValidationError(
                gettext("This invoice has payments or credit notes: remove them, or credit it instead.")
            )

    # --- derived amounts ---------------------------------------------------------------

    def recompute(self) -> None:
        """Totals from the lines, paid and credited amounts, balance, and the status that follows."""
        groups = self.vat_groups(self.items.only(*VAT_LINE_FIELDS))
        payments = self.payments.aggregate(total=Coalesce(Sum("amount"), ZERO), last=Max("date"))
        self.settle(
            Sums(
                net=sum((group.taxable for group in groups), ZERO),
                vat=vat_total(groups),
                paid=round_cents(payments["total"]),
                last_payment=payments["last"],
                credited=_sum(self.credit_notes.all(), "total"),
            )
        )

    def vat_groups(self, items: Iterable[LineItem]) -> list[VatGroup]:
        return vat_breakdown((item.vat_line for item in items), per_line=self.vat_rounded_per_line)

    def settle(self, sums: Sums) -> None:
        """The stored totals, balance and status that follow from the sums of the lines, payments
        and credit notes: recompute's rule, also applied to many invoices at once."""
        self.subtotal = sums.net
        self.vat_total = sums.vat
        self.total = self.subtotal + self.vat_total
        self.amount_paid = sums.paid
        self.amount_credited = sums.credited
        # A cancelled invoice asks for nothing, whatever its lines say.
        owed = self.total - self.amount_paid - self.amount_credited
        self.balance_due = ZERO if self.status == InvoiceStatus.CANCELLED else owed
        self.status = self._status_after_settlement()
        self.paid_on = sums.last_payment if self.status == InvoiceStatus.PAID else None

    def _status_after_settlement(self) -> str:
        if self.status in (InvoiceStatus.DRAFT, InvoiceStatus.CANCELLED):
            return str(self.status)
        if self.balance_due <= 0:
            return InvoiceStatus.PAID
        if self.status == InvoiceStatus.OVERDUE or (
            self.status == InvoiceStatus.PAID and self.due_date < timezone.localdate()
        ):
            return InvoiceStatus.OVERDUE
        if self.amount_paid or self.amount_credited:
            return InvoiceStatus.PARTIALLY_PAID
        return InvoiceStatus.SENT


class InvoiceItem(LineItem):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="items")

    class Meta(LineItem.Meta):
        pass
