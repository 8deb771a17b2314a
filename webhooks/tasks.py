"""Background jobs run by django-q: a delivery's first attempt, queued when its event is emitted,
and every minute the retries that have come due (scheduled by migration 0002)."""

from __future__ import annotations

from webhooks import delivery
from webhooks.models import WebhookDelivery

# Retries one run attempts at most; the rest wait for the next minute's run.
DUE_BATCH = 50


def deliver(delivery_id: int) -> str:
    """Attempt one delivery if it is still due; returns its status afterwards."""
    claimed = delivery.claim(delivery_id)
    if claimed is None:
        return "not due"
    delivery.attempt(claimed)
    return claimed.status


def deliver_due() -> int:
    """Attempt the deliveries whose retry time has come; returns how many were attempted."""
    attempted = 0
    for delivery_id in delivery.claim_due(DUE_BATCH):
        claimed = WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)
        delivery.attempt(claimed)
        attempted += 1
    return attempted
