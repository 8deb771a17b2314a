"""Webhook events that follow from the audit log: each audited change of interest becomes an event
once it is committed, so the services that make the changes need not know about webhooks.

The payload is read after the commit (one query or two, and none for an organisation without
endpoints); an audit event written inside a rolled-back transaction never gets here.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from core.models import AuditEvent
from invoices.models import Client, CreditNote, Invoice, InvoiceStatus, Payment
from webhooks import payloads
from webhooks.events import emit
from webhooks.models import EventType, WebhookEndpoint

Announcer = Callable[[AuditEvent], None]


def _became_paid(event: AuditEvent, settled_amount_key: str) -> bool:
    """Whether the audited payment or credit note brought its invoice's balance from above zero to
    zero or below: the moment the invoice is paid, announced once."""
    after = event.after or {}
    try:
        balance = Decimal(str(after["invoice_balance_due"]))
        settled = Decimal(str(after[settled_amount_key]))
    except (KeyError, TypeError, InvalidOperation):
        return False
    return balance <= 0 < balance + settled


def _announce_paid_invoice(invoice: Invoice | None) -> None:
    if invoice is not None and invoice.status == InvoiceStatus.PAID:
        emit(invoice.organization_id, EventType.INVOICE_PAID, payloads.invoice_data(invoice))


def _invoice(event_type: str) -> Announcer:
    def announce(event: AuditEvent) -> None:
        invoice = Invoice.objects.select_related("client").filter(pk=event.target_id).first()
        if invoice is not None:
            emit(invoice.organization_id, event_type, payloads.invoice_data(invoice))

    return announce


def _payment(event: AuditEvent) -> None:
    payment = Payment.objects.select_related("client", "invoice__client").filter(pk=event.target_id).first()
    if payment is None:
        return
    emit(payment.organization_id, EventType.PAYMENT_RECEIVED, payloads.payment_data(payment))
    if _became_paid(event, "amount"):
        _announce_paid_invoice(payment.invoice)


def _credit_note(event: AuditEvent) -> None:
    credit_note = CreditNote.objects.select_related("client", "invoice__client").filter(pk=event.target_id).first()
    if credit_note is None:
        return
    emit(credit_note.organization_id, EventType.CREDIT_NOTE_ISSUED, payloads.credit_note_data(credit_note))
    if _became_paid(event, "total"):
        _announce_paid_invoice(credit_note.invoice)


def _client(event: AuditEvent) -> None:
    client = Client.objects.filter(pk=event.target_id).first()
    if client is not None:
        emit(client.organization_id, EventType.CLIENT_CREATED, payloads.client_data(client))


def _einvoice(event: AuditEvent) -> None:
    invoice = Invoice.objects.filter(pk=event.target_id).first()
    if invoice is None:
        return
    before, after = event.changes.get("before") or {}, event.after or {}
    data = payloads.einvoice_data(
        invoice, str(after.get("state", "")), str(before.get("state", "")), str(after.get("error") or "")
    )
    emit(invoice.organization_id, EventType.EINVOICE_STATUS_CHANGED, data)


# Audit action → what it announces. A payment matched from the bank is recorded with
# invoices.services.record_payment, so "payment.recorded" covers reconciliation too.
ANNOUNCERS: dict[str, Announcer] = {
    "invoice.created": _invoice(EventType.INVOICE_CREATED),
    "invoice.sent": _invoice(EventType.INVOICE_SENT),
    "invoice.cancelled": _invoice(EventType.INVOICE_CANCELLED),
    "payment.recorded": _payment,
    "credit_note.issued": _credit_note,
    "client.created": _client,
    "einvoice.sent": _einvoice,
    "einvoice.failed": _einvoice,
}


def _announce(event: AuditEvent, organization_id: int, announcer: Announcer) -> None:
    if WebhookEndpoint.objects.active().filter(organization_id=organization_id).exists():
        announcer(event)


@receiver(post_save, sender=AuditEvent, dispatch_uid="webhooks.announce_audited_change")
def announce_audited_change(sender: type[AuditEvent], instance: AuditEvent, created: bool, **kwargs: Any) -> None:
    announcer, organization_id = ANNOUNCERS.get(instance.action), instance.organization_id
    if created and announcer is not None and organization_id is not None and instance.target_id:
        transaction.on_commit(lambda: _announce(instance, organization_id, announcer))
