"""What admins do with webhook endpoints, each change atomic and audited. The signing secret is
never written to the audit log."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext

from core.audit import record_event
from core.models import Organization, User
from webhooks import ssrf
from webhooks.events import envelope, queue_delivery
from webhooks.models import (
    TEST_EVENT,
    DeliveryStatus,
    EventType,
    WebhookDelivery,
    WebhookEndpoint,
    new_secret,
)

AUDITED_FIELDS = ("url", "description", "events", "is_active")


def _snapshot(endpoint: WebhookEndpoint) -> dict[str, object]:
    return {field: getattr(endpoint, field) for field in AUDITED_FIELDS}


def _validated(url: str, events: Sequence[str]) -> list[str]:
    ssrf.vet_url(url)
    known = set(EventType.values)
    unknown = [event for event in events if event not in known]
    if unknown:
        raise ValidationError(gettext("Unknown events: %(events)s.") % {"events": ", ".join(unknown)})
    if not events:
        raise ValidationError(gettext("Choose at least one event."))
    return [event for event in EventType.values if event in events]


@transaction.atomic
def create_endpoint(
    *,
    organization: Organization,
    url: str,
    events: Sequence[str],
    description: str = "",
    actor: User | None,
    request: HttpRequest | None = None,
) -> WebhookEndpoint:
    endpoint = WebhookEndpoint.objects.create(
        organization=organization,
        url=url,
        description=description,
        events=_validated(url, events),
        created_by=actor,
    )
    record_event(
        "webhook.endpoint_created",
        request=request,
        actor=actor,
        organization=organization,
        target=endpoint,
        after=_snapshot(endpoint),
    )
    return endpoint


@transaction.atomic
def update_endpoint(
    endpoint: WebhookEndpoint,
    *,
    url: str,
    events: Sequence[str],
    description: str,
    actor: User | None,
    request: HttpRequest | None = None,
) -> WebhookEndpoint:
    before = _snapshot(endpoint)
    endpoint.events = _validated(url, events)
    endpoint.url, endpoint.description = url, description
    endpoint.save(update_fields=["url", "description", "events"])
    record_event(
        "webhook.endpoint_updated",
        request=request,
        actor=actor,
        organization=endpoint.organization,
        target=endpoint,
        before=before,
        after=_snapshot(endpoint),
    )
    return endpoint


@transaction.atomic
def reveal_secret(endpoint: WebhookEndpoint, *, actor: User | None, request: HttpRequest | None = None) -> str:
    """The signing secret, to be shown once more; who looked at it is audited."""
    record_event(
        "webhook.secret_revealed", request=request, actor=actor, organization=endpoint.organization, target=endpoint
    )
    return str(endpoint.secret)


@transaction.atomic
def rotate_secret(endpoint: WebhookEndpoint, *, actor: User | None, request: HttpRequest | None = None) -> str:
    """A new signing secret, in use for every attempt from now on; returns it to be shown once."""
    secret = new_secret()
    endpoint.secret = secret
    endpoint.save(update_fields=["secret"])
    record_event(
        "webhook.secret_rotated", request=request, actor=actor, organization=endpoint.organization, target=endpoint
    )
    return secret


@transaction.atomic
def disable_endpoint(
    endpoint: WebhookEndpoint, *, reason: str, actor: User | None, request: HttpRequest | None = None
) -> WebhookEndpoint:
    """Stop sending to the endpoint; its deliveries still waiting give up at their next turn."""
    before = _snapshot(endpoint)
    endpoint.is_active, endpoint.disabled_at, endpoint.disabled_reason = False, timezone.now(), reason[:300]
    endpoint.save(update_fields=["is_active", "disabled_at", "disabled_reason"])
    record_event(
        "webhook.endpoint_disabled",
        request=request,
        actor=actor,
        organization=endpoint.organization,
        target=endpoint,
        before=before,
        after={**_snapshot(endpoint), "reason": endpoint.disabled_reason},
    )
    return endpoint


@transaction.atomic
def enable_endpoint(
    endpoint: WebhookEndpoint, *, actor: User | None, request: HttpRequest | None = None
) -> WebhookEndpoint:
    """Send to the endpoint again, with a clean failure record."""
    before = _snapshot(endpoint)
    endpoint.is_active, endpoint.disabled_at, endpoint.disabled_reason = True, None, ""
    endpoint.consecutive_failures, endpoint.failing_since = 0, None
    endpoint.save(
        update_fields=["is_active", "disabled_at", "disabled_reason", "consecutive_failures", "failing_since"]
    )
    record_event(
        "webhook.endpoint_enabled",
        request=request,
        actor=actor,
        organization=endpoint.organization,
        target=endpoint,
        before=before,
        after=_snapshot(endpoint),
    )
    return endpoint


@transaction.atomic
def delete_endpoint(endpoint: WebhookEndpoint, *, actor: User | None, request: HttpRequest | None = None) -> None:
    record_event(
        "webhook.endpoint_deleted",
        request=request,
        actor=actor,
        organization=endpoint.organization,
        target=endpoint,
        before=_snapshot(endpoint),
    )
    endpoint.delete()


def _require_active(endpoint: WebhookEndpoint) -> None:
    if not endpoint.is_active:
        raise ValidationError(gettext("The endpoint is disabled: enable it first."))


@transaction.atomic
def send_test_event(
    endpoint: WebhookEndpoint, *, actor: User | None, request: HttpRequest | None = None
) -> WebhookDelivery:
    """A `webhook.test` event to this endpoint alone, delivered and retried like any other."""
    _require_active(endpoint)
    data = {"endpoint_id": endpoint.pk, "organization": endpoint.organization.name}
    delivery = WebhookDelivery.objects.create(
        organization=endpoint.organization,
        endpoint=endpoint,
        event_type=TEST_EVENT,
        payload=envelope(TEST_EVENT, data, timezone.now()),
        next_attempt_at=timezone.now(),
    )
    record_event(
        "webhook.test_sent",
        request=request,
        actor=actor,
        organization=endpoint.organization,
        target=endpoint,
        after={"message_id": delivery.message_id},
    )
    transaction.on_commit(lambda: queue_delivery(delivery.pk))
    return delivery


@transaction.atomic
def resend_delivery(
    delivery: WebhookDelivery, *, actor: User | None, request: HttpRequest | None = None
) -> WebhookDelivery:
    """Deliver the same message again (same `webhook-id`, so a receiver that has it can drop it),
    with a full set of retries."""
    delivery = WebhookDelivery.objects.select_for_update().select_related("endpoint").get(pk=delivery.pk)
    _require_active(delivery.endpoint)
    if delivery.status in (DeliveryStatus.PENDING, DeliveryStatus.FAILED):
        raise ValidationError(gettext("This delivery is still being attempted."))
    before = {"status": delivery.status, "attempt_count": delivery.attempt_count}
    delivery.status, delivery.attempt_count, delivery.next_attempt_at = DeliveryStatus.PENDING, 0, timezone.now()
    delivery.save(update_fields=["status", "attempt_count", "next_attempt_at"])
    record_event(
        "webhook.delivery_resent",
        request=request,
        actor=actor,
        organization=delivery.organization,
        target=delivery,
        before=before,
        after={"status": delivery.status, "message_id": delivery.message_id},
    )
    transaction.on_commit(lambda: queue_delivery(delivery.pk))
    return delivery
