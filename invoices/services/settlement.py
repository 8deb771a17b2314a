"""What settles an invoice: payments and credit notes. Atomic, locked, audited."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext

from core.audit import record_event
from core.formatting import format_money
from core.models import Organization, User
from invoices.models import Client, CreditNote, CreditNoteItem, Invoice, Payment, PaymentMethod, Series, next_number
from invoices.services.common import (
    MAX_AMOUNT,
    Line,
    create_lines,
    document_amounts,
    require_same_organization,
    snapshot,
    validate_billed_lines,
)
from invoices.services.invoicing import lock

PAYMENT_FIELDS = ("client_id", "invoice_id", "amount", "currency", "date", "method", "reference", "is_overpayment")


def check_not_overpaid(invoice: Invoice, amount: Decimal, is_overpayment: bool) -> None:
    if amount > invoice.balance_due and not is_overpayment:
        raise ValidationError(
            gettext(
                "%(amount)s is more than the balance due of %(balance_due)s. Record the balance due, or mark "
                "the payment as an overpayment to credit the difference to the client."
            )
            % {
                "amount": format_money(amount, invoice.currency),
                "balance_due": format_money(invoice.balance_due, invoice.currency),
            }
        )


@transaction.atomic
def record_payment(
    *,
    organization: Organization,
    client: Client,
    amount: Decimal,
    date: datetime.date,
    currency: str,
    invoice: Invoice | None = None,
    method: str = PaymentMethod.BANK_TRANSFER,
    reference: str = "",
    is_overpayment: bool = False,
    notes: str = "",
    actor: User | None = None,
    request: HttpRequest | None = None,
) -> Payment:
    """Record money received. Without an invoice it is a general payment on the client's account."""
    require_same_organization(organization, client, invoice)
    if amount <= 0:
        raise ValidationError(gettext("A payment must be more than zero."))
    if amount >= MAX_AMOUNT:
        raise ValidationError(gettext("The payment is too large."))
    if invoice is not None:
        invoice = lock(invoice)  # racing payments on one invoice wait here, then see the new balance
        if invoice.client_id != client.pk:
            raise ValidationError(gettext("This invoice belongs to another client."))
        invoice.check_payable(currency)
        check_not_overpaid(invoice, amount, is_overpayment)
    payment = Payment.objects.create(
        organization=organization,
        client=client,
        invoice=invoice,
        amount=amount,
        currency=currency,
        date=date,
        method=method,
        reference=reference,
        is_overpayment=is_overpayment,
        notes=notes,
    )
    if invoice is not None:
        invoice.recompute()
        invoice.save()
    record_event(
        "payment.recorded",
        request=request,
        actor=actor,
        organization=organization,
        target=payment,
        after={**snapshot(payment, PAYMENT_FIELDS), "invoice_balance_due": invoice.balance_due if invoice else None},
    )
    return payment


@transaction.atomic
def issue_credit_note(
    invoice: Invoice,
    *,
    lines: Sequence[Line],
    issue_date: datetime.date,
    reason: str = "",
    actor: User | None = None,
    request: HttpRequest | None = None,
) -> CreditNote:
    invoice = lock(invoice)
    validate_billed_lines(lines, invoice.client)
    amounts = document_amounts(lines)
    total = amounts.total
    if total <= 0:
        raise ValidationError(gettext("A credit note must be for more than zero."))
    invoice.check_creditable(total)
    if issue_date < invoice.issue_date:
        raise ValidationError(gettext("A credit note cannot be dated before the invoice it credits."))
    number, _ = next_number(invoice.organization, Series.CREDIT_NOTE, issue_date.year)
    credit_note = CreditNote.objects.create(
        organization=invoice.organization,
        invoice=invoice,
        client=invoice.client,
        number=number,
        issue_date=issue_date,
        currency=invoice.currency,
        reason=reason,
    )
    create_lines(CreditNoteItem, "credit_note", credit_note, invoice.organization, lines)
    credit_note.subtotal, credit_note.vat_total, credit_note.total = amounts.net, amounts.vat, amounts.total
    credit_note.save()
    invoice.recompute()
    invoice.save()
    record_event(
        "credit_note.issued",
        request=request,
        actor=actor,
        organization=invoice.organization,
        target=credit_note,
        after={
            "number": number,
            "invoice": invoice.number,
            "total": credit_note.total,
            "reason": reason,
            "invoice_balance_due": invoice.balance_due,
        },
    )
    return credit_note
