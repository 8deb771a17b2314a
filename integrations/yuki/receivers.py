"""Reactions to other apps' events: book a sent invoice in Yuki when the link asks for it."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver
from django_q.tasks import async_task

from integrations.models import Connection, ConnectionStatus, Provider
from invoices.models import Invoice, InvoiceSource
from invoices.signals import invoice_sent


@receiver(invoice_sent)
def book_sent_invoice(sender: Any, invoice: Invoice, **kwargs: Any) -> None:
    if invoice.source != InvoiceSource.MANUAL:
        return
    wants_booking = (
        Connection.objects.filter(organization_id=invoice.organization_id, provider=Provider.YUKI)
        .exclude(status=ConnectionStatus.DISCONNECTED)
        .filter(config__book_on_send=True)
        .exists()
    )
    if wants_booking:
        async_task("integrations.yuki.tasks.book_invoice", invoice.pk)
