"""WhatsApp messages sent through Twilio, where each stands (from Twilio's status callbacks), and the
PDFs uploaded to Cloudinary for their links, kept until their links expire."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import TenantModel, TenantQuerySet
from invoices.models import Invoice
from messaging.errors import describe


class MessageKind(models.TextChoices):
    INVOICE = "invoice", _("Invoice")
    REMINDER = "reminder", _("Reminder")


class MessageStatus(models.TextChoices):
    # Ours only: saved, the worker has not handed it to Twilio yet (Twilio's own first is queued).
    PENDING = "pending", _("Waiting to be sent")
    QUEUED = "queued", _("Queued at Twilio")
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    READ = "read", _("Read")
    FAILED = "failed", _("Failed")
    UNDELIVERED = "undelivered", _("Not delivered")


# How far along each status is. Twilio's callbacks may arrive out of order: a status only replaces
# one further back; failed and undelivered are final.
PROGRESS = {
    MessageStatus.PENDING: 0,
    MessageStatus.QUEUED: 1,
    MessageStatus.SENT: 2,
    MessageStatus.DELIVERED: 3,
    MessageStatus.READ: 4,
    MessageStatus.FAILED: 5,
    MessageStatus.UNDELIVERED: 5,
}
FINAL = (MessageStatus.FAILED, MessageStatus.UNDELIVERED)
# Twilio's statuses that we record (accepted, scheduled, sending… are steps we do not show).
TWILIO_STATUSES = {status.value for status in MessageStatus if status != MessageStatus.PENDING}


class MessageQuerySet(TenantQuerySet["Message"]):
    def pending(self) -> MessageQuerySet:
        return self.filter(status=MessageStatus.PENDING)


class Message(TenantModel):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="whatsapp_messages")
    kind = models.CharField(max_length=10, choices=MessageKind.choices)
    to = models.CharField(max_length=20)  # E.164
    content_sid = models.CharField(max_length=34)
    # Twilio's message SID (MM…/SM…), once Twilio accepted the message.
    provider_sid = models.CharField(max_length=34, unique=True, null=True, blank=True)
    status = models.CharField(max_length=12, choices=MessageStatus.choices, default=MessageStatus.PENDING)
    error_code = models.PositiveIntegerField(null=True, blank=True)
    error_message = models.CharField(max_length=500, blank=True)
    # Attempts to hand the message to Twilio (a timeout or 5xx is tried again by the worker).
    attempts = models.PositiveSmallIntegerField(default=0)
    # Set while a worker hands the message to Twilio, so the schedule and the queued task never both do.
    claimed_until = models.DateTimeField(null=True, blank=True)
    # The reminder stage (days after the due date) a reminder was sent for.
    offset_days = models.SmallIntegerField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)

    objects = MessageQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["invoice", "created_at"], name="message_invoice"),
            # The five- and ten-minute schedules look for the messages still on their way.
            models.Index(
                fields=["status", "created_at"],
                name="message_unfinished",
                condition=models.Q(status__in=("pending", "queued", "sent")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.to} ({self.status})"

    @property
    def failed(self) -> bool:
        return self.status in FINAL

    @property
    def error_text(self) -> str:
        """Why it failed (or is waiting), in the reader's language where the code is a known one."""
        return describe(self.error_code, self.error_message)

    @property
    def status_at(self) -> datetime.datetime | None:
        """When the message reached its current status."""
        return {
            MessageStatus.QUEUED: self.queued_at,
            MessageStatus.SENT: self.sent_at,
            MessageStatus.DELIVERED: self.delivered_at,
            MessageStatus.READ: self.read_at,
            MessageStatus.FAILED: self.failed_at,
            MessageStatus.UNDELIVERED: self.failed_at,
        }.get(MessageStatus(self.status), self.created_at)


class MessageEvent(models.Model):
    """Each status Twilio reported, as it arrived (also those that did not move the message on)."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(max_length=12)
    error_code = models.PositiveIntegerField(null=True, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["received_at", "id"]
        # Twilio may post a status twice: it is recorded once.
        constraints = [models.UniqueConstraint(fields=["message", "status"], name="message_event_once")]

    def __str__(self) -> str:
        return f"{self.message_id}: {self.status}"


class PdfAsset(TenantModel):
    """A PDF uploaded to Cloudinary as a private asset for a link; destroyed once the link expired."""

    invoice = models.ForeignKey(Invoice, on_delete=models.SET_NULL, null=True, related_name="+")
    public_id = models.CharField(max_length=255, unique=True)
    resource_type = models.CharField(max_length=10, default="raw")
    expires_at = models.DateTimeField()
    destroyed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["destroyed_at", "expires_at"], name="pdfasset_expiry")]

    def __str__(self) -> str:
        return self.public_id
