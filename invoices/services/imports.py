"""Invoices that live in another system (Yuki): mirrored here, kept in step with every field.

An imported invoice has one line for its gross total (the bookkeeping gives no VAT split in its
open-item list) and, for what was already paid there, one payment marked as settled there. An
invoice made here and booked there is never mirrored: it follows the open amount there instead.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
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
from invoices.models.invoices import Sums
from invoices.money import ZERO, round_cents
from invoices.services.common import snapshot
from invoices.services.totals import recompute_many
from invoices.vat import VatCategory

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
# What mirroring can change on an invoice row.
STORED_FIELDS = (
    *IMPORTED_FIELDS,
    "subtotal",
    "vat_total",
    "amount_paid",
    "amount_credited",
    "paid_on",
)
BULK_SIZE = 1000


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
    return _free_number_among(taken, wanted, source)


def _free_number_among(taken: set[str], wanted: str, source: str) -> str:
    """The wanted number, or the first `wanted (source n)` not taken."""
    if wanted not in taken:
        return wanted
    n = 1
    while f"{wanted} ({source} {n})" in taken:
        n += 1
    return f"{wanted} ({source} {n})"


def _taken_numbers(organization: Organization, source: str, imported: Sequence[ImportedInvoice]) -> set[str]:
    """The organisation's numbers _free_number_among can meet for these invoices: the wanted
    numbers themselves and every number suffixed for the source."""
    if not imported:
        return set()
    numbers = Invoice.all_objects.filter(organization=organization).values_list("number", flat=True)
    taken = set(numbers.filter(number__contains=f" ({source} "))
    wanted = sorted({_wanted_number(data) for data in imported})
    for start in range(0, len(wanted), BULK_SIZE):
        taken.update(numbers.filter(number__in=wanted[start : start + BULK_SIZE]))
    return taken


def mirror_invoice(organization: Organization, client: Client, data: ImportedInvoice) -> tuple[Invoice, bool, bool]:
    """Create or update the mirror of an external invoice; (invoice, created, changed).

    Every mirrored field follows the external system on each call (number, dates, client,
    currency, description, total and open amount); a change to an existing mirror is audited."""
    (mirrored,) = mirror_invoices(organization, data.source, [(client, data)])
    return mirrored


@transaction.atomic
def mirror_invoices(
    organization: Organization, source: str, imported: Sequence[tuple[Client, ImportedInvoice]]
) -> list[tuple[Invoice, bool, bool]]:
    """mirror_invoice for many invoices of one external source, with the same results and audit
    events, in a few statements per thousand invoices: the mirrors are locked and read together,
    new ones are inserted in bulk with their line and totals, the settled-there payments are
    written in bulk, the existing ones are recomputed together (recompute_many), and a mirror that
    did not change is not written. (invoice, created, changed) per external invoice."""
    if any(data.source != source for _, data in imported):
        raise ValueError(f"every invoice mirrored here must come from {source}")
    latest = {data.external_id: (client, data) for client, data in imported}
    existing = _locked_mirrors(organization, source, list(latest))
    taken = _taken_numbers(organization, source, [data for key, (_, data) in latest.items() if key not in existing])
    payments = _SettledThere.of(list(existing.values()), source)
    new: list[Invoice] = []
    new_lines: list[InvoiceItem] = []
    followed: list[Invoice] = []
    for external_id, (client, data) in latest.items():
        invoice = existing.get(external_id)
        if invoice is not None:
            followed.append(invoice)
            continue
        number = _free_number_among(taken, _wanted_number(data), source)
        taken.add(number)
        invoice = Invoice(**_new_mirror_fields(organization, client, data), number=number)
        line = _mirror_line(invoice, data)
        payment = payments.settle(invoice, data.total - data.open_amount)
        # A new mirror's sums are its one line and its one payment: settled before the insert.
        invoice.settle(
            Sums(
                net=line.net_amount,
                vat=line.vat_amount,
                paid=round_cents(payment.amount) if payment is not None else ZERO,
                last_payment=payment.date if payment is not None else None,
                credited=ZERO,
            )
        )
        new.append(invoice)
        new_lines.append(line)
    Invoice.objects.bulk_create(new, batch_size=BULK_SIZE)
    InvoiceItem.objects.bulk_create(new_lines, batch_size=BULK_SIZE)

    before = {invoice.pk: snapshot(invoice, STORED_FIELDS) for invoice in followed}
    followed_lines = _by_invoice(InvoiceItem.objects.filter(invoice__in=followed))
    for invoice in followed:
        client, data = latest[invoice.external_id]
        _follow(invoice, client, data, followed_lines.get(invoice.pk, []))
        payments.settle(invoice, data.total - data.open_amount)
    payments.write()
    recompute_many(followed)
    now = timezone.now()
    written = [invoice for invoice in followed if snapshot(invoice, STORED_FIELDS) != before[invoice.pk]]
    for invoice in written:
        invoice.updated_at = now
    Invoice.objects.bulk_update(written, [*STORED_FIELDS, "updated_at"], batch_size=BULK_SIZE)

    results = [(invoice, True, True) for invoice in new]
    for invoice in followed:
        old = {name: before[invoice.pk][name] for name in IMPORTED_FIELDS}
        after = snapshot(invoice, IMPORTED_FIELDS)
        if after != old:
            _audit_import_change(invoice, old, after)
        results.append((invoice, False, after != old))
    return results


def _locked_mirrors(organization: Organization, source: str, external_ids: list[str]) -> dict[str, Invoice]:
    found: dict[str, Invoice] = {}
    for start in range(0, len(external_ids), BULK_SIZE):
        mirrors = Invoice.all_objects.select_for_update().filter(
            organization=organization, source=source, external_id__in=external_ids[start : start + BULK_SIZE]
        )
        found.update((invoice.external_id, invoice) for invoice in mirrors)
    return found


def _by_invoice(items: Iterable[InvoiceItem]) -> dict[int, list[InvoiceItem]]:
    grouped: dict[int, list[InvoiceItem]] = defaultdict(list)
    for item in items:
        grouped[item.invoice_id].append(item)
    return grouped


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


def _new_mirror_fields(organization: Organization, client: Client, data: ImportedInvoice) -> dict[str, Any]:
    return {
        "organization": organization,
        "client": client,
        "issue_date": data.issue_date,
        "due_date": _due_date(data),
        "currency": data.currency,
        "status": InvoiceStatus.SENT,
        "payment_reference": "",
        "source": data.source,
        "external_id": data.external_id,
        "notes": data.description[:500],
    }


def _mirror_line(invoice: Invoice, data: ImportedInvoice) -> InvoiceItem:
    """The one line of a new mirror, its amounts derived (unsaved)."""
    item = InvoiceItem(
        organization_id=invoice.organization_id,
        invoice=invoice,
        description=_line_description(data),
        quantity=Decimal(1),
        unit_price=data.total,
        vat_rate=ZERO,  # the total as the other system states it, VAT included
        vat_category=VatCategory.ZERO_RATED,
    )
    item.compute_amounts()
    return item


def _follow(invoice: Invoice, client: Client, data: ImportedInvoice, lines: Iterable[InvoiceItem]) -> None:
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
    for item in lines:
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
    payments = _SettledThere.of([invoice], source)
    payments.settle(invoice, paid)
    payments.write()


class _SettledThere:
    """The payments "settled in <source>" of some invoices, and the writes that make each match
    what the external system counts as paid there: created, changed, or deleted when nothing is."""

    def __init__(self, source: str, current: dict[int, Payment]) -> None:
        self.reference = SETTLED_ELSEWHERE.format(source=source.capitalize())
        self.current = current
        self.created: list[Payment] = []
        self.changed: list[Payment] = []
        self.deleted: list[int] = []

    @classmethod
    def of(cls, invoices: Sequence[Invoice], source: str) -> _SettledThere:
        reference = SETTLED_ELSEWHERE.format(source=source.capitalize())
        ids = [invoice.pk for invoice in invoices]
        current: dict[int, Payment] = {}
        for start in range(0, len(ids), BULK_SIZE):
            # Oldest first, so the one kept per invoice is the one Payment's default order puts first.
            for payment in Payment.objects.filter(
                invoice_id__in=ids[start : start + BULK_SIZE], reference=reference
            ).order_by("date", "id"):
                current[payment.invoice_id] = payment  # type: ignore[index]
        return cls(source, current)

    def settle(self, invoice: Invoice, paid: Decimal) -> Payment | None:
        """The invoice's settled-there payment once written (None when nothing is paid there)."""
        payment = self.current.get(invoice.pk) if invoice.pk is not None else None
        if paid <= 0:
            if payment is not None:
                self.deleted.append(payment.pk)
            return None
        if payment is None:
            payment = Payment(
                organization_id=invoice.organization_id,
                client_id=invoice.client_id,
                invoice=invoice,
                amount=paid,
                currency=invoice.currency,
                date=timezone.localdate(),
                method=PaymentMethod.OTHER,
                reference=self.reference,
            )
            self.created.append(payment)
        elif payment.amount != paid:
            payment.amount = paid
            payment.updated_at = timezone.now()
            self.changed.append(payment)
        return payment

    def write(self) -> None:
        Payment.objects.filter(pk__in=self.deleted).delete()
        Payment.objects.bulk_create(self.created, batch_size=BULK_SIZE)
        Payment.objects.bulk_update(self.changed, ["amount", "updated_at"], batch_size=BULK_SIZE)
