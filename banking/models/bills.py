"""Bills to pay, from the bookkeeping (a Yuki connection) or received over Peppol (no connection):
the outflows the dashboards expect.

A purchase invoice can arrive both ways: over Peppol first and then booked in Yuki, or the reverse.
The booked one wins (its open amount follows payments); the Peppol one is marked superseded by it
(`superseded_by`) and counts nowhere while the booked one counts: `supersede_booked_duplicates`
links them, whichever came last. When the bookkeeping's connection stops counting (disconnected),
the Peppol bill counts again, so the bill is never lost from the payables.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Exists, OuterRef, Q, Subquery

from banking.models.accounts import RawJSONEncoder
from core.models import TenantModel
from integrations.models.connections import Connection, counted_q


class BillQuerySet(models.QuerySet["Bill"]):
    def open(self) -> BillQuerySet:
        return self.filter(settled_on__isnull=True, open_amount__gt=0)

    def counted(self) -> BillQuerySet:
        """Bills of connections whose data the figures count (see `counted_q`), and bills received
        over Peppol that no counted booked bill supersedes."""
        counted_booked = Bill.objects.filter(counted_q("connection__"), pk=OuterRef("superseded_by"))
        return self.filter(counted_q("connection__") | (Q(connection__isnull=True) & ~Exists(counted_booked)))


class Bill(TenantModel):
    # None for a bill received over Peppol (banking.models.einvoices.ReceivedDocument).
    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="bills", null=True, blank=True)
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
    # A Peppol bill the bookkeeping also has: the booked bill that counts instead of it.
    superseded_by = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="supersedes"
    )
    # A Peppol bill settled by a payment the bank shows (banking.bill_payments): that payment.
    paid_by = models.ForeignKey(
        "banking.BankTransaction", on_delete=models.SET_NULL, null=True, blank=True, related_name="paid_bills"
    )

    objects = BillQuerySet.as_manager()

    class Meta:
        db_table = "integrations_bill"  # its name before the move to this app
        ordering = ["due_date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["connection", "external_id"], name="bill_unique_external_id"),
            # NULLs are distinct in a unique index: bills without a connection need their own.
            models.UniqueConstraint(
                fields=["organization", "external_id"],
                condition=Q(connection__isnull=True),
                name="bill_unique_external_id_without_connection",
            ),
        ]
        indexes = [models.Index(fields=["organization", "settled_on", "due_date"], name="bill_open_due")]

    def __str__(self) -> str:
        return f"{self.supplier} {self.reference}".strip()


def supersede_booked_duplicates(organization_id: int) -> int:
    """Mark every Peppol bill of the organisation that a booked bill (from a connection) repeats,
    the same supplier's invoice number (`reference`), the same original amount and the same
    currency, as superseded by it; returns how many. Called after a Peppol bill is created and after a bookkeeping sync
    writes bills, so either order ends the same way."""
    booked = (
        Bill.objects.filter(
            organization_id=organization_id,
            connection__isnull=False,
            reference=OuterRef("reference"),
            original_amount=OuterRef("original_amount"),
            currency=OuterRef("currency"),
        )
        .order_by("pk")
        .values("pk")[:1]
    )
    return (
        Bill.objects.filter(organization_id=organization_id, connection__isnull=True, superseded_by__isnull=True)
        .exclude(reference="")
        .filter(Exists(booked))
        .update(superseded_by=Subquery(booked))
    )
