"""Invoice lifecycle: create, update, duplicate, send, cancel. Atomic and audited."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Sequence
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext

from core.audit import record_event
from core.formatting import format_money
from core.models import Organization, User
from core.validators import validate_structured_reference
from invoices.models import (
    Client,
    CreditNote,
    CreditNoteItem,
    Invoice,
    InvoiceItem,
    InvoiceSource,
    InvoiceStatus,
    Series,
    next_number,
)
from invoices.models.lines import LineItem
from invoices.money import ZERO
from invoices.references import make_reference
from invoices.services.common import Line, create_lines, require_same_organization, snapshot, validate_billed_lines
from invoices.signals import invoice_sent
from invoices.vat import rate_key

logger = logging.getLogger(__name__)

AUDITED_FIELDS = (
    "number",
    "client_id",
    "issue_date",
    "due_date",
    "currency",
    "status",
    "total",
    "balance_due",
    "notes",
)


class EmailDeliveryError(Exception):
    """The change was saved, but the email could not be handed to the mail server."""


def _free_reference(organization: Organization, year: int, sequence: int) -> str:
    """Year and sequence make a ten-digit base unique among generated references; a typed
    reference may have taken it, so step to the next free block of 100,000."""
    for block in range(10):
        digits = make_reference(year * 1_000_000 + block * 100_000 + sequence)
        if not Invoice.all_objects.filter(organization=organization, payment_reference=digits).exists():
            return digits
    raise ValidationError(gettext("No free structured reference is left for this invoice number; type one in."))


def _check_dates(issue_date: datetime.date, due_date: datetime.date) -> None:
    if due_date < issue_date:
        raise ValidationError(gettext("The due date cannot be before the issue date."))


def _check_reference_free(organization: Organization, digits: str, exclude_pk: int | None = None) -> None:
    taken = Invoice.all_objects.filter(organization=organization, payment_reference=digits)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise ValidationError(gettext("Another invoice already uses this structured reference."))


@transaction.atomic
def create_invoice(
    *,
    organization: Organization,
    client: Client,
    lines: Sequence[Line],
    issue_date: datetime.date,
    due_date: datetime.date | None = None,
    currency: str | None = None,
    notes: str = "",
    payment_reference: str = "",
    source: str = InvoiceSource.MANUAL,
    external_id: str = "",
    actor: User | None = None,
    request: HttpRequest | None = None,
) -> Invoice:
    require_same_organization(organization, client)
    validate_billed_lines(lines, client)
    due_date = due_date or issue_date + datetime.timedelta(days=client.payment_terms_days)
    _check_dates(issue_date, due_date)
    number, sequence = next_number(organization, Series.INVOICE, issue_date.year)
    if payment_reference:
        payment_reference = validate_structured_reference(payment_reference)
        _check_reference_free(organization, payment_reference)
    invoice = Invoice(
        organization=organization,
        client=client,
        number=number,
        issue_date=issue_date,
        due_date=due_date,
        currency=currency or client.currency,
        notes=notes,
        payment_reference=payment_reference or _free_reference(organization, issue_date.year, sequence),
        source=source,
        external_id=external_id,
    )
    try:
        with transaction.atomic():
            invoice.save()
    except IntegrityError as exc:
        raise ValidationError(gettext("This invoice clashes with an existing one (number or reference).")) from exc
    create_lines(InvoiceItem, "invoice", invoice, organization, lines)
    invoice.recompute()
    invoice.save()
    record_event(
        "invoice.created",
        request=request,
        actor=actor,
        organization=organization,
        target=invoice,
        after=snapshot(invoice, AUDITED_FIELDS),
    )
    return invoice


def lock(invoice: Invoice) -> Invoice:
    """The invoice re-read under a row lock: concurrent payments and edits queue behind it."""
    locked: Invoice = Invoice.objects.select_for_update().select_related("client").get(pk=invoice.pk)
    return locked


@transaction.atomic
def update_invoice(
    invoice: Invoice,
    *,
    client: Client,
    lines: Sequence[Line],
    issue_date: datetime.date,
    due_date: datetime.date,
    currency: str,
    notes: str = "",
    payment_reference: str = "",
    actor: User | None = None,
    request: HttpRequest | None = None,
) -> Invoice:
    invoice = lock(invoice)
    invoice.check_editable()
    if issue_date.year != invoice.issue_date.year:
        raise ValidationError(
            gettext(
                "%(number)s is numbered in %(year)s: keep the issue date in that year, "
                "or duplicate the invoice to number it in another year."
            )
            % {"number": invoice.number, "year": invoice.issue_date.year}
        )
    require_same_organization(invoice.organization, client)
    validate_billed_lines(lines, client)
    _check_dates(issue_date, due_date)
    if payment_reference:
        payment_reference = validate_structured_reference(payment_reference)
        _check_reference_free(invoice.organization, payment_reference, exclude_pk=invoice.pk)
    before = snapshot(invoice, AUDITED_FIELDS)
    invoice.client, invoice.issue_date, invoice.due_date = client, issue_date, due_date
    invoice.currency, invoice.notes = currency, notes
    invoice.payment_reference = payment_reference or invoice.payment_reference
    invoice.items.all().delete()
    invoice.vat_rounded_per_line = False  # a draft, never sent: its VAT is computed per group now
    create_lines(InvoiceItem, "invoice", invoice, invoice.organization, lines)
    invoice.recompute()
    invoice.save()
    record_event(
        "invoice.updated",
        request=request,
        actor=actor,
        organization=invoice.organization,
        target=invoice,
        before=before,
        after=snapshot(invoice, AUDITED_FIELDS),
    )
    return invoice


def duplicate_invoice(invoice: Invoice, *, actor: User | None = None, request: HttpRequest | None = None) -> Invoice:
    """A new draft with the same client and lines, dated today."""
    today = timezone.localdate()
    return create_invoice(
        organization=invoice.organization,
        client=invoice.client,
        lines=[Line.of(item) for item in invoice.items.all()],
        issue_date=today,
        due_date=today + (invoice.due_date - invoice.issue_date),
        currency=invoice.currency,
        notes=invoice.notes,
        actor=actor,
        request=request,
    )


def send_invoice(
    invoice: Invoice, *, actor: User | None = None, request: HttpRequest | None = None, email: bool = True
) -> Invoice:
    """Mark the invoice sent and email its PDF to the client. The status change is committed
    first; a mail server that refuses afterwards raises EmailDeliveryError and is audited."""
    with transaction.atomic():
        invoice = lock(invoice)
        invoice.check_sendable()
        before = snapshot(invoice, AUDITED_FIELDS)
        if invoice.status == InvoiceStatus.DRAFT:
            invoice.status = InvoiceStatus.SENT
        invoice.sent_at = timezone.now()
        invoice.recompute()
        invoice.save()
        record_event(
            "invoice.sent",
            request=request,
            actor=actor,
            organization=invoice.organization,
            target=invoice,
            before=before,
            after=snapshot(invoice, AUDITED_FIELDS),
        )
    invoice_sent.send(sender=Invoice, invoice=invoice)
    if email and invoice.client.email:
        from invoices.notifications import send_invoice_email  # the PDF and mail stack, only when mailing

        try:
            send_invoice_email(invoice)
        except OSError as exc:
            logger.warning("invoice %s: email to the client failed: %s", invoice.pk, exc)
            record_event(
                "invoice.email_failed",
                request=request,
                actor=actor,
                organization=invoice.organization,
                target=invoice,
                after={"error": str(exc)[:200]},
            )
            raise EmailDeliveryError(
                gettext("%(number)s is marked as sent, but the email could not be sent: %(error)s")
                % {"number": invoice.number, "error": exc}
            ) from exc
    return invoice


@transaction.atomic
def cancel_invoice(
    invoice: Invoice, *, reason: str = "", actor: User | None = None, request: HttpRequest | None = None
) -> Invoice:
    invoice = lock(invoice)
    invoice.check_cancellable()
    before = snapshot(invoice, AUDITED_FIELDS)
    invoice.status = InvoiceStatus.CANCELLED
    invoice.cancelled_at = timezone.now()
    invoice.recompute()
    invoice.save()
    record_event(
        "invoice.cancelled",
        request=request,
        actor=actor,
        organization=invoice.organization,
        target=invoice,
        before=before,
        after={**snapshot(invoice, AUDITED_FIELDS), "reason": reason},
    )
    return invoice


# --- credit notes from the invoice's lines ---------------------------------------------------

# What identifies an invoice line on its credit notes: its text and its VAT. A credit of the line
# may lower the quantity or the unit price, never change what was sold or its VAT.
CreditKey = tuple[str, str, str]


def _credit_key(description: str, vat_rate: Decimal, vat_category: str) -> CreditKey:
    return (" ".join(description.split()).casefold(), rate_key(vat_rate), vat_category)


def _net_by_key(items: Sequence[LineItem] | Sequence[Line]) -> dict[CreditKey, Decimal]:
    nets: dict[CreditKey, Decimal] = {}
    for item in items:
        key = _credit_key(item.description, item.vat_rate, item.vat_category)
        net = item.net_amount if isinstance(item, LineItem) else item.amounts.net
        nets[key] = nets.get(key, ZERO) + net
    return nets


def credited_items(invoice: Invoice) -> list[CreditNoteItem]:
    """The lines of the invoice's credit notes still in force (a deleted credit note gives back)."""
    return list(CreditNoteItem.objects.filter(credit_note__in=CreditNote.objects.filter(invoice=invoice)))


def creditable_lines(invoice: Invoice) -> list[Line]:
    """The invoice's lines as a credit note starts from them: each with the quantity not credited
    yet (what earlier credit notes took of a line, at its price, is taken off); lines credited in
    full are left out."""
    credited = _net_by_key(credited_items(invoice))
    lines = []
    for item in invoice.items.all():
        key = _credit_key(item.description, item.vat_rate, item.vat_category)
        taken = min(credited.get(key, ZERO), item.net_amount)
        credited[key] = credited.get(key, ZERO) - taken
        if taken >= item.net_amount:
            continue
        quantity = item.quantity
        if taken and item.unit_price:
            quantity = max(item.quantity - (taken / item.unit_price).quantize(Decimal("0.001")), Decimal("0.001"))
        lines.append(Line(item.description, quantity, item.unit_price, *_vat(item)))
    return lines


def _vat(item: LineItem) -> tuple[Decimal, str, str]:
    return item.vat_rate, item.vat_category, item.vat_exemption_reason


def check_credit_within_invoice(invoice: Invoice, lines: Sequence[Line]) -> None:
    """Each credited line is one of the invoice's lines, and what is credited of it (with earlier
    credit notes) is no more than was invoiced."""
    invoiced = _net_by_key(list(invoice.items.all()))
    credited = _net_by_key(credited_items(invoice))
    wanted = _net_by_key(lines)
    for number, line in enumerate(lines, start=1):
        key = _credit_key(line.description, line.vat_rate, line.vat_category)
        if key not in invoiced:
            raise ValidationError(
                gettext(
                    "Line %(number)s is not on invoice %(invoice)s: a credit note credits the invoice's own "
                    "lines (same description and VAT); lower their quantity or price instead."
                )
                % {"number": number, "invoice": invoice.number}
            )
        left = invoiced[key] - credited.get(key, ZERO)
        if wanted[key] > left:
            raise ValidationError(
                gettext("Line %(number)s credits %(wanted)s of “%(description)s”, but only %(left)s is left to credit.")
                % {
                    "number": number,
                    "wanted": format_money(wanted[key], invoice.currency),
                    "description": line.description,
                    "left": format_money(max(left, ZERO), invoice.currency),
                }
            )


@transaction.atomic
def credit_invoice_lines(
    invoice: Invoice,
    *,
    lines: Sequence[Line],
    issue_date: datetime.date,
    reason: str = "",
    actor: User | None = None,
    request: HttpRequest | None = None,
) -> CreditNote:
    """A credit note of some of the invoice's own lines, never more than is left of them: checked
    under the invoice's lock, so two credit notes issued at once cannot both take the last of a line."""
    from invoices.services.settlement import issue_credit_note  # settlement imports this module's lock

    locked = lock(invoice)
    check_credit_within_invoice(locked, lines)
    return issue_credit_note(locked, lines=lines, issue_date=issue_date, reason=reason, actor=actor, request=request)
