"""Background jobs run by django-q: a delivery's first attempt, queued when its event is emitted;
every minute the retries that have come due; every night the old log pruned (both scheduled by
migration 0002)."""

from __future__ import annotations

import datetime

from django.utils import timezone

from webhooks import delivery
from webhooks.models import RETRYABLE_STATUSES, WebhookDelivery

# Retries one run attempts at most; the rest wait for the next minute's run.
DUE_BATCH = 50
# How long the delivery log keeps a settled delivery and its attempts.
LOG_RETENTION = datetime.timedelta(days=30)


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
        # Gone when its endpoint was deleted meanwhile.
        claimed = WebhookDelivery.objects.select_related("endpoint").filter(pk=delivery_id).first()
        if claimed is not None:
            delivery.attempt(claimed)
            attempted += 1
    return attempted


def prune_delivery_log() -> int:
    """Delete settled deliveries (and their attempts) older than LOG_RETENTION; returns how many."""
    cutoff = timezone.now() - LOG_RETENTION
    old = WebhookDelivery.objects.filter(created_at__lt=cutoff).exclude(status__in=RETRYABLE_STATUSES)
    _, deleted = old.delete()
    return deleted.get(WebhookDelivery._meta.label, 0)
