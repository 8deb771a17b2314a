"""Soft delete and restore of billing documents: hidden everywhere, restorable, audited."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext

from core.audit import record_event
from core.models import User
from invoices.models import Challan, CreditNote, Invoice, Payment
from invoices.services.invoicing import lock
from invoices.services.settlement import check_not_overpaid

Document = Invoice | Payment | CreditNote | Challan


def _settled_invoice(document: Document) -> Invoice | None:
    if isinstance(document, Payment | CreditNote) and document.invoice_id:
        invoice = Invoice.all_objects.get(pk=document.invoice_id)
        if not invoice.is_active:
            raise ValidationError(
                gettext("Its invoice %(number)s is deleted: restore the invoice first.") % {"number": invoice.number}
            )
        return lock(invoice)
    return None


def _check_deletable(document: Document) -> None:
    if isinstance(document, Invoice) and (document.payments.exists() or document.credit_notes.exists()):
        raise ValidationError(gettext("This invoice has payments or credit notes: delete those first."))
    if isinstance(document, Challan) and document.invoice_id:
        raise ValidationError(gettext("This delivery note was invoiced: delete or cancel the invoice instead."))


def _check_restorable(document: Document, invoice: Invoice | None) -> None:
    if isinstance(document, Payment) and invoice is not None:
        invoice.check_payable(document.currency)
        check_not_overpaid(invoice, document.amount, document.is_overpayment)
    if isinstance(document, CreditNote) and invoice is not None:
        invoice.check_creditable(document.total)


def _set_active(document: Document, active: bool, actor: User | None, request: HttpRequest | None) -> Document:
    model = type(document)
    with transaction.atomic():
        invoice = _settled_invoice(document)
        document = model.all_objects.select_for_update().get(pk=document.pk)
        if document.is_active == active:
            return document
        if active:
            _check_restorable(document, invoice)
        else:
            _check_deletable(document)
        document.is_active = active
        document.save(update_fields=["is_active", "updated_at"])
        if isinstance(document, Invoice) and not active:
            # Its delivery notes are no longer invoiced: they can be invoiced again.
            Challan.objects.filter(invoice=document).update(invoice=None)
        if invoice is not None:
            invoice.recompute()
            invoice.save()
        record_event(
            f"{model._meta.model_name}.{'restored' if active else 'deleted'}",
            request=request,
            actor=actor,
            organization=document.organization,
            target=document,
            before={"is_active": not active},
            after={"is_active": active, **({"invoice_balance_due": invoice.balance_due} if invoice else {})},
        )
    return document


def soft_delete(document: Document, *, actor: User | None = None, request: HttpRequest | None = None) -> Document:
    return _set_active(document, False, actor, request)


def restore(document: Document, *, actor: User | None = None, request: HttpRequest | None = None) -> Document:
    return _set_active(document, True, actor, request)
