"""An invoice or credit note sent over Peppol: one row per attempt to deliver it through the access
point, with the access point's document id, where it stands, its timeline and the error that
stopped it. A credit note's row also names the invoice it credits, so the invoice shows both."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.models import TenantModel
from invoices.models.credit_notes import CreditNote
from invoices.models.invoices import Invoice


class TransmissionState(models.TextChoices):
    QUEUED = "queued", _("Queued")  # ours only: the upload to the access point is not confirmed yet
    DRAFT = "draft", _("Uploaded")
    TRANSIT = "transit", _("On its way")
    SENT = "sent", _("Delivered")
    FAILED = "failed", _("Failed")


# The access point's timeline events (reference §3.2) in words.
EVENT_WORDS = {
    "document_created": _("Uploaded to the access point"),
    "send_attempted": _("Sent into the Peppol network"),
    "send_success": _("Delivered to the receiver's access point"),
    "send_failed": _("Delivery failed"),
    "mlr_received": _("The receiver's access point answered"),
    "imr_received": _("The receiver answered"),
}


@dataclass(frozen=True)
class TimelineEvent:
    at: datetime.datetime | None
    what: str


# A transmission not settled after this long is shown as needing a person; it is still followed.
OVERDUE_AFTER = datetime.timedelta(days=1)

# Not settled yet: the worker moves these on (upload, send, status) until SENT or FAILED.
LIVE_STATES = (TransmissionState.QUEUED, TransmissionState.DRAFT, TransmissionState.TRANSIT)


class TransmissionQuerySet(models.QuerySet["Transmission"]):
    def live(self) -> TransmissionQuerySet:
        return self.filter(state__in=LIVE_STATES)


class Transmission(TenantModel):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="transmissions")
    credit_note = models.ForeignKey(
        CreditNote, on_delete=models.CASCADE, related_name="transmissions", null=True, blank=True
    )
    receiver = models.CharField(max_length=100)  # the Peppol ID, scheme:identifier
    state = models.CharField(max_length=10, choices=TransmissionState.choices, default=TransmissionState.QUEUED)
    access_point_id = models.CharField(max_length=64, blank=True)
    # Calls that may have reached the access point: after one, the next step looks before acting.
    upload_attempts = models.PositiveSmallIntegerField(default=0)
    send_attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    events = models.JSONField(default=list, blank=True)  # the access point's timeline, as last read
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    # Set while a worker acts on the transmission (invoices.einvoicing.sending.advance).
    claimed_until = models.DateTimeField(null=True, blank=True)

    objects = TransmissionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # A document goes out over Peppol once: a second transmission only after one failed.
            models.UniqueConstraint(
                fields=["invoice"],
                condition=~Q(state=TransmissionState.FAILED) & Q(credit_note__isnull=True),
                name="transmission_one_per_invoice",
            ),
            models.UniqueConstraint(
                fields=["credit_note"],
                condition=~Q(state=TransmissionState.FAILED) & Q(credit_note__isnull=False),
                name="transmission_one_per_credit_note",
            ),
        ]
        indexes = [models.Index(fields=["state", "updated_at"], name="transmission_state")]

    def __str__(self) -> str:
        return f"{self.document} → {self.receiver} ({self.state})"

    @property
    def document(self) -> Invoice | CreditNote:
        return self.credit_note or self.invoice

    @property
    def live(self) -> bool:
        return self.state in LIVE_STATES

    @property
    def overdue(self) -> bool:
        """Still not delivered or failed a day after it was queued: a person should look."""
        return self.live and self.created_at < timezone.now() - OVERDUE_AFTER

    @property
    def error_text(self) -> str:
        """The error in the reader's language when it is one of our own fixed texts (the worker,
        which has no reader, stores those in English); the access point's words as they came."""
        return gettext(self.error) if self.error else ""

    @property
    def timeline(self) -> list[TimelineEvent]:
        return [
            TimelineEvent(_moment(event.get("at")), str(EVENT_WORDS.get(str(event.get("type")), event.get("type"))))
            for event in self.events
            if isinstance(event, dict)
        ]


def _moment(value: object) -> datetime.datetime | None:
    try:
        return datetime.datetime.fromisoformat(str(value))
    except ValueError:
        return None
