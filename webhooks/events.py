"""Emitting webhook events: once the change they announce is committed, one delivery per active
endpoint of the organisation that subscribed to the event, each queued for its first attempt.

Most events follow from the audit log (webhooks.receivers); the few changes that write no audit
event of their own call the functions at the end of this module.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django_q.tasks import async_task

from integrations.models import Connection, ConnectionStatus
from invoices.models import Invoice
from webhooks import payloads
from webhooks.models import EventType, WebhookDelivery, WebhookEndpoint


def envelope(event_type: str, data: dict[str, Any], timestamp: datetime.datetime) -> dict[str, Any]:
    """The Standard Webhooks payload: the event's type, when it happened, and its data."""
    return {"type": event_type, "timestamp": timestamp.isoformat(), "data": data}


def queue_delivery(delivery_id: int) -> None:
    async_task("webhooks.tasks.deliver", delivery_id, task_name=f"webhook delivery {delivery_id}")


def create_deliveries(organization_id: int, event_type: str, payload: dict[str, Any]) -> list[WebhookDelivery]:
    """One delivery of the payload per active endpoint subscribed to the event, each queued."""
    endpoints = [
        endpoint
        for endpoint in WebhookEndpoint.objects.active().filter(organization_id=organization_id)
        if endpoint.subscribes_to(event_type)
    ]
    if not endpoints:
        return []
    now = timezone.now()
    deliveries = WebhookDelivery.objects.bulk_create(
        WebhookDelivery(
            organization_id=organization_id,
            endpoint=endpoint,
            event_type=event_type,
            payload=payload,
            next_attempt_at=now,
        )
        for endpoint in endpoints
    )
    for delivery in deliveries:
        queue_delivery(delivery.pk)
    return deliveries


def emit(organization_id: int, event_type: str, data: dict[str, Any]) -> None:
    """Announce an event to the organisation's endpoints once the current transaction commits
    (at once outside a transaction); a rolled-back change announces nothing."""
    payload = envelope(event_type, data, timezone.now())
    transaction.on_commit(lambda: create_deliveries(organization_id, event_type, payload))


# --- changes that write no audit event of their own ---------------------------------------------


def invoices_overdue(invoice_ids: Iterable[int]) -> None:
    """`invoice.overdue` for each of these invoices, read once the marking is committed (only in
    organisations that listen, so the daily run reads nothing for the others)."""
    ids = list(invoice_ids)

    def announce() -> None:
        listening = {
            endpoint.organization_id
            for endpoint in WebhookEndpoint.objects.active().only("organization_id", "events")
            if endpoint.subscribes_to(EventType.INVOICE_OVERDUE)
        }
        if not listening:
            return
        invoices = Invoice.objects.filter(pk__in=ids, organization_id__in=listening).select_related("client")
        for invoice in invoices:
            emit(invoice.organization_id, EventType.INVOICE_OVERDUE, payloads.invoice_data(invoice))

    transaction.on_commit(announce)


def sync_failed(connection: Connection, *, newly_needs_reauth: bool) -> None:
    """`sync.failed` for a failed sync run, and `connection.needs_reauth` when the failure is the
    one that put the connection there."""
    data = payloads.connection_data(connection)
    emit(connection.organization_id, EventType.SYNC_FAILED, data)
    if newly_needs_reauth and connection.status == ConnectionStatus.NEEDS_REAUTH:
        emit(connection.organization_id, EventType.CONNECTION_NEEDS_REAUTH, data)
