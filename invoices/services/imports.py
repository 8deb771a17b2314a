"""Invoices that live in another system (Yuki): mirrored here, kept in step with their open amount.

An imported invoice has one line for its gross total (the bookkeeping gives no VAT split in its
open-item list) and, for what was already paid there, one payment marked as settled there.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from core.models import Organization
from invoices.models import Client, Invoice, InvoiceItem, InvoiceStatus, Payment, PaymentMethod
from invoices.money import ZERO

SETTLED_ELSEWHERE = "Settled in {source}"


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
    """Create or update the mirror of an external invoice; (invoice, created, changed)."""
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
            number=_free_number(organization, data.number or data.external_id[:12], data.source),
            issue_date=data.issue_date,
            due_date=max(data.due_date or data.issue_date, data.issue_date),
            currency=data.currency,
            status=InvoiceStatus.SENT,
            payment_reference="",
            source=data.source,
            external_id=data.external_id,
            notes=data.description[:500],
        )
        item = InvoiceItem(
            organization=organization, invoice=invoice, description=data.description[:300] or data.number,
            quantity=Decimal(1), unit_price=data.total, vat_rate=ZERO,
        )  # fmt: skip
        item.save()
    before = (invoice.balance_due, invoice.status)
    _settle_elsewhere(invoice, data.total - data.open_amount, data.source)
    invoice.recompute()
    invoice.save()
    return invoice, created, created or before != (invoice.balance_due, invoice.status)


def _settle_elsewhere(invoice: Invoice, paid: Decimal, source: str) -> None:
    reference = SETTLED_ELSEWHERE.format(source=source.capitalize())
    payment = Payment.objects.filter(invoice=invoice, reference=reference).first()
    if paid <= 0:
        if payment is not None:
            payment.delete()
        return
    if payment is None:
        Payment.objects.create(
            organization_id=invoice.organization_id, client_id=invoice.client_id, invoice=invoice, amount=paid,
            currency=invoice.currency, date=timezone.localdate(), method=PaymentMethod.OTHER, reference=reference,
        )  # fmt: skip
    elif payment.amount != paid:
        payment.amount = paid
        payment.save(update_fields=["amount", "updated_at"])
