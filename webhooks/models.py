"""Outgoing webhooks: the endpoints an organisation registers, and each event's delivery to one
of them with every attempt it took."""

from __future__ import annotations

import base64
import secrets
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.fields import EncryptedTextField
from core.models import Organization

SECRET_PREFIX = "whsec_"  # noqa: S105 - the Standard Webhooks prefix, not a secret


class EventType(models.TextChoices):
    INVOICE_CREATED = "invoice.created", _("An invoice is created")
    INVOICE_SENT = "invoice.sent", _("An invoice is sent")
    INVOICE_PAID = "invoice.paid", _("An invoice is paid in full")
    INVOICE_OVERDUE = "invoice.overdue", _("An invoice falls overdue")
    INVOICE_CANCELLED = "invoice.cancelled", _("An invoice is cancelled")
    PAYMENT_RECEIVED = "payment.received", _("A payment is recorded")
    CREDIT_NOTE_ISSUED = "credit_note.issued", _("A credit note is issued")
    CLIENT_CREATED = "client.created", _("A client is added")
    EINVOICE_STATUS_CHANGED = "einvoice.status_changed", _("A Peppol e-invoice is delivered or fails")
    SYNC_FAILED = "sync.failed", _("A bank or bookkeeping sync fails")
    CONNECTION_NEEDS_REAUTH = "connection.needs_reauth", _("A connection needs re-authorisation")


# Sent by the "send a test event" button only; endpoints cannot subscribe to it.
TEST_EVENT = "webhook.test"


def new_secret() -> str:
    """A Standard Webhooks signing secret: `whsec_` and 32 random bytes in base64."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def new_message_id() -> str:
    """The `webhook-id` of one event to one endpoint, the same on every retry so receivers can
    drop a repeat."""
    return f"msg_{secrets.token_urlsafe(18)}"


class WebhookEndpointQuerySet(models.QuerySet["WebhookEndpoint"]):
    def active(self) -> WebhookEndpointQuerySet:
        return self.filter(is_active=True)


class WebhookEndpoint(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="webhook_endpoints")
    url = models.URLField(max_length=500)
    description = models.CharField(max_length=200, blank=True)
    events = models.JSONField(default=list)
    secret = EncryptedTextField(default=new_secret)
    is_active = models.BooleanField(default=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Failed attempts since the last success, and when the first of them was: the disabling rule.
    consecutive_failures = models.PositiveIntegerField(default=0)
    failing_since = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[WebhookEndpointQuerySet] = WebhookEndpointQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["organization", "is_active"], name="webhook_endpoint_org_active")]

    def __str__(self) -> str:
        return self.url

    def get_absolute_url(self) -> str:
        return reverse("webhooks:endpoint_detail", args=[self.pk])

    def subscribes_to(self, event_type: str) -> bool:
        return event_type in self.events

    def event_labels(self) -> list[str]:
        labels = dict(EventType.choices)
        return [str(labels.get(event, event)) for event in self.events]


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    FAILED = "failed", _("Failed, will retry")
    SUCCEEDED = "succeeded", _("Delivered")
    GAVE_UP = "gave_up", _("Gave up")


RETRYABLE_STATUSES = (DeliveryStatus.PENDING, DeliveryStatus.FAILED)
# The app's status badges (static/css/app.css) whose colours say the same.
STATUS_BADGES = {
    DeliveryStatus.PENDING: "status-pending",
    DeliveryStatus.FAILED: "status-partially_paid",
    DeliveryStatus.SUCCEEDED: "status-paid",
    DeliveryStatus.GAVE_UP: "status-failed",
}


class WebhookDeliveryQuerySet(models.QuerySet["WebhookDelivery"]):
    def due(self) -> WebhookDeliveryQuerySet:
        """Waiting for an attempt whose time has come (a claimed one waits out its lease)."""
        return self.filter(status__in=RETRYABLE_STATUSES, next_attempt_at__lte=timezone.now())


class WebhookDelivery(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event_type = models.CharField(max_length=64)
    message_id = models.CharField(max_length=64, default=new_message_id, unique=True)
    payload = models.JSONField()
    status = models.CharField(max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempt_count = models.PositiveSmallIntegerField(default=0)
    last_response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_duration_ms = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    # When the next attempt may start; null once the delivery is settled. A worker that takes a
    # delivery moves it ahead by a lease, so a worker that dies leaves it due again, not lost.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[WebhookDeliveryQuerySet] = WebhookDeliveryQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["endpoint", "-created_at"], name="webhook_delivery_endpoint"),
            models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.message_id}"

    def get_absolute_url(self) -> str:
        return reverse("webhooks:delivery_detail", args=[self.pk])

    @property
    def status_badge(self) -> str:
        return STATUS_BADGES[DeliveryStatus(self.status)]

    @property
    def can_resend(self) -> bool:
        return self.status not in RETRYABLE_STATUSES


class WebhookAttempt(models.Model):
    """One POST of a delivery: what came back (or why nothing did), and how long it took."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempts")
    succeeded = models.BooleanField()
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField()
    error = models.CharField(max_length=500, blank=True)
    attempted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["attempted_at", "id"]

    def __str__(self) -> str:
        return f"{self.delivery} at {self.attempted_at:%Y-%m-%d %H:%M:%S}"
