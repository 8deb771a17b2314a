"""Invoices that live in another system (Yuki): mirrored here, kept in step with every field.

An imported invoice has one line for its gross total (the bookkeeping gives no VAT split in its
open-item list) and, for what was already paid there, one payment marked as settled there. An
invoice made here and booked there is never mirrored: it follows the open amount there instead.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from core.audit import record_event
from core.models import Organization
from invoices.models import Client, Invoice, InvoiceItem, InvoiceStatus, Payment, PaymentMethod
from invoices.money import ZERO
from invoices.services.common import snapshot

SETTLED_ELSEWHERE = "Settled in {source}"
# What a mirror takes from the external system, and what an import change audits.
IMPORTED_FIELDS = (
    "number",
    "client_id",
    "issue_date",
    "due_date",
    "currency",
    "notes",
    "total",
    "balance_due",
    "status",
)


@dataclass(frozen=True)
class ImportedInvoice:
    source: str
    external_id: str
    number: str
    description: str
    issue_date: datetime.date
    due_date: datetime.date | None
    currency: str
    total: Decimal
    open_amount: Decimal


def _free_number(organization: Organization, wanted: str, source: str) -> str:
    taken = set(
        Invoice.all_objects.filter(organization=organization, number__startswith=wanted).values_list(
            "number", flat=True
        )
    )
    if wanted not in taken:
        return wanted
    n = 1
    while f"{wanted} ({source} {n})" in taken:
        n += 1
    return f"{wanted} ({source} {n})"


@transaction.atomic
def mirror_invoice(organization: Organization, client: Client, data: ImportedInvoice) -> tuple[Invoice, bool, bool]:
    """Create or update the mirror of an external invoice; (invoice, created, changed).

    Every mirrored field follows the external system on each call (number, dates, client,
    currency, description, total and open amount); a change to an existing mirror is audited."""
    invoice = (
        Invoice.all_objects.select_for_update()
        .filter(organization=organization, source=data.source, external_id=data.external_id)
        .first()
    )
    created = invoice is None
    if invoice is None:
        invoice = Invoice.objects.create(
            organization=organization,
            client=client,
            number=_free_number(organization, _wanted_number(data), data.source),
            issue_date=data.issue_date,
            due_date=_due_date(data),
            currency=data.currency,
            status=InvoiceStatus.SENT,
            payment_reference="",
            source=data.source,
            external_id=data.external_id,
            notes=data.description[:500],
        )
        item = InvoiceItem(
            organization=organization,
            invoice=invoice,
            description=_line_description(data),
            quantity=Decimal(1),
            unit_price=data.total,
            vat_rate=ZERO,
        )
        item.save()
    before = snapshot(invoice, IMPORTED_FIELDS)
    if not created:
        _follow(invoice, client, data)
    _settle_elsewhere(invoice, data.total - data.open_amount, data.source)
    invoice.recompute()
    invoice.save()
    after = snapshot(invoice, IMPORTED_FIELDS)
    if not created and after != before:
        _audit_import_change(invoice, before, after)
    return invoice, created, created or after != before


@transaction.atomic
def follow_booked_invoice(invoice: Invoice, open_amount: Decimal, source: str) -> bool:
    """An invoice made here and booked in the external system follows the open amount there.

    What the external system counts as settled beyond the payments recorded here becomes one
    payment "settled there"; the invoice's own fields stay ours. True when it changed."""
    invoice = Invoice.all_objects.select_for_update().get(pk=invoice.pk)
    if invoice.status in (InvoiceStatus.DRAFT, InvoiceStatus.CANCELLED):
        return False
    reference = SETTLED_ELSEWHERE.format(source=source.capitalize())
    recorded_here = (
        Payment.objects.filter(invoice=invoice)
        .exclude(reference=reference)
        .aggregate(total=Coalesce(Sum("amount"), ZERO))["total"]
    )
    settled_there = invoice.total - invoice.amount_credited - open_amount
    before = snapshot(invoice, IMPORTED_FIELDS)
    _settle_elsewhere(invoice, max(settled_there - recorded_here, ZERO), source)
    invoice.recompute()
    invoice.save()
    after = snapshot(invoice, IMPORTED_FIELDS)
    if after != before:
        _audit_import_change(invoice, before, after)
    return after != before


@transaction.atomic
def retire_mirror(invoice: Invoice, *, reason: str) -> bool:
    """Retire a mirror that should not exist (it duplicates an invoice made here): cancelled, its
    settled-there payment removed, soft-deleted, audited. True when it was still live."""
    invoice = Invoice.all_objects.select_for_update().get(pk=invoice.pk)
    if invoice.status == InvoiceStatus.CANCELLED and not invoice.is_active:
        return False
    before = {**snapshot(invoice, IMPORTED_FIELDS), "is_active": invoice.is_active}
    Payment.all_objects.filter(
        invoice=invoice, reference=SETTLED_ELSEWHERE.format(source=invoice.source.capitalize())
    ).delete()
    invoice.status = InvoiceStatus.CANCELLED
    invoice.cancelled_at = timezone.now()
    invoice.is_active = False
    invoice.recompute()
    invoice.save()
    record_event(
        "invoice.import_retired",
        organization=invoice.organization,
        target=invoice,
        before=before,
        after={**snapshot(invoice, IMPORTED_FIELDS), "is_active": False, "reason": reason},
    )
    return True


def _wanted_number(data: ImportedInvoice) -> str:
    return data.number or data.external_id[:12]


def _due_date(data: ImportedInvoice) -> datetime.date:
    return max(data.due_date or data.issue_date, data.issue_date)


def _line_description(data: ImportedInvoice) -> str:
    return data.description[:300] or data.number


def _follow(invoice: Invoice, client: Client, data: ImportedInvoice) -> None:
    """Bring an existing mirror's own fields in line with the external invoice (not saved)."""
    wanted = _wanted_number(data)
    # A mirror whose number was taken here keeps its suffixed number while the wanted one is taken.
    if invoice.number != wanted and not invoice.number.startswith(f"{wanted} ({data.source} "):
        invoice.number = _free_number(invoice.organization, wanted, data.source)
    invoice.issue_date = data.issue_date
    invoice.due_date = _due_date(data)
    invoice.currency = data.currency
    invoice.notes = data.description[:500]
    if invoice.client_id != client.pk:
        invoice.client = client
        Payment.all_objects.filter(invoice=invoice).update(client=client)
    if invoice.status == InvoiceStatus.OVERDUE and invoice.due_date >= timezone.localdate():
        invoice.status = InvoiceStatus.SENT  # recompute() then says partially paid if it is
    line = (data.total, Decimal(1), _line_description(data))
    for item in InvoiceItem.objects.filter(invoice=invoice):
        if (item.unit_price, item.quantity, item.description) != line:
            item.unit_price, item.quantity, item.description = line
            item.save()  # the line's amounts are derived on save


def _audit_import_change(invoice: Invoice, before: dict[str, Any], after: dict[str, Any]) -> None:
    changed = [name for name in IMPORTED_FIELDS if before[name] != after[name]]
    record_event(
        "invoice.import_changed",
        organization=invoice.organization,
        target=invoice,
        before={name: before[name] for name in changed},
        after={name: after[name] for name in changed},
    )


def _settle_elsewhere(invoice: Invoice, paid: Decimal, source: str) -> None:
    reference = SETTLED_ELSEWHERE.format(source=source.capitalize())
    payment = Payment.objects.filter(invoice=invoice, reference=reference).first()
    if paid <= 0:
        if payment is not None:
            payment.delete()
        return
    if payment is None:
        Payment.objects.create(
            organization_id=invoice.organization_id,
            client_id=invoice.client_id,
            invoice=invoice,
            amount=paid,
            currency=invoice.currency,
            date=timezone.localdate(),
            method=PaymentMethod.OTHER,
            reference=reference,
        )
    elif payment.amount != paid:
        payment.amount = paid
        payment.save(update_fields=["amount", "updated_at"])
