"""Invoices and reminders by WhatsApp: queued atomically and audited, handed to Twilio by the worker,
followed by Twilio's status callbacks.

`send_invoice_whatsapp` marks the invoice sent (as the email path does) and queues a Message;
`send_reminder_whatsapp` queues one for a reminder stage. The worker's `deliver` builds the
template's variables (with a fresh PDF link) and hands the message to Twilio. A refusal Twilio
calls permanent (an invalid number, 21211) fails the message with Twilio's code; a timeout, 429
or 5xx leaves it pending for the next try (every five minutes), up to TWILIO_MAX_ATTEMPTS.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext
from django_q.tasks import async_task

from core.audit import record_event
from core.formatting import format_money
from core.models import User
from invoices.models import Invoice, InvoiceStatus
from invoices.models.clients import Channel
from invoices.models.invoices import OPEN_STATUSES
from messaging import errors, links, twilio
from messaging.models import FINAL, PROGRESS, TWILIO_STATUSES, Message, MessageEvent, MessageKind, MessageStatus
from payments.links import public_invoice_url

logger = logging.getLogger(__name__)

# Long enough for a PDF upload and Twilio's answer, each up to its timeout.
CLAIM_SECONDS = 120
# A message still queued or sent this long after Twilio took it is asked about (a lost callback),
# for as long as a WhatsApp message may take to reach a phone that is off.
FOLLOW_AFTER = datetime.timedelta(minutes=10)
FOLLOW_FOR = datetime.timedelta(days=3)


def content_sid(kind: str) -> str:
    return str(
        settings.TWILIO_CONTENT_SID_INVOICE if kind == MessageKind.INVOICE else settings.TWILIO_CONTENT_SID_REMINDER
    )


def available(kind: str = MessageKind.INVOICE) -> bool:
    """Whether this installation can send this kind of message by WhatsApp (Twilio and its template)."""
    return twilio.configured() and bool(content_sid(kind))


def check_sendable(invoice: Invoice, kind: str = MessageKind.INVOICE) -> None:
    """Refused in words when the client has no WhatsApp number or WhatsApp is not set up."""
    if not invoice.client.whatsapp_number:
        raise ValidationError(gettext("The client has no WhatsApp number: add it on the client first."))
    if not available(kind):
        raise ValidationError(gettext("Sending by WhatsApp is not set up in this installation."))


@dataclass(frozen=True)
class WhatsAppChoice:
    """What the send screen says about WhatsApp: preferred by the client, to which number, and why
    it cannot be used (no number, not set up), if so."""

    preferred: bool
    to: str
    problem: str


def whatsapp_choice(invoice: Invoice) -> WhatsAppChoice:
    try:
        check_sendable(invoice)
    except ValidationError as exc:
        problem = " ".join(exc.messages)
    else:
        problem = ""
    preferred = invoice.client.preferred_channel == Channel.WHATSAPP
    return WhatsAppChoice(preferred=preferred, to=invoice.client.whatsapp_number, problem=problem)


def send_invoice_whatsapp(
    invoice: Invoice, *, actor: User | None = None, request: HttpRequest | None = None
) -> Message:
    """Mark the invoice sent and queue its WhatsApp message for the worker. As on the Peppol path, the
    invoice is marked sent (and committed, so what its signal queues reads it sent) just before the
    message is queued, each in its own transaction."""
    from invoices.services import send_invoice  # the invoice services import the send view's callers

    check_sendable(invoice)
    invoice = send_invoice(invoice, actor=actor, request=request, email=False)
    return queue_message(invoice, MessageKind.INVOICE, actor=actor, request=request)


def send_reminder_whatsapp(
    invoice: Invoice, offset_days: int, *, actor: User | None = None, request: HttpRequest | None = None
) -> Message:
    """Queue the payment reminder of one stage (days after the due date) by WhatsApp."""
    check_sendable(invoice, MessageKind.REMINDER)
    return queue_message(invoice, MessageKind.REMINDER, offset_days=offset_days, actor=actor, request=request)


def queue_message(
    invoice: Invoice,
    kind: str,
    *,
    offset_days: int | None = None,
    actor: User | None = None,
    request: HttpRequest | None = None,
) -> Message:
    with transaction.atomic():
        message = Message.objects.create(
            organization_id=invoice.organization_id,
            invoice=invoice,
            kind=kind,
            to=invoice.client.whatsapp_number,
            content_sid=content_sid(kind),
            offset_days=offset_days,
            created_by=actor,
        )
        record_event(
            "whatsapp.queued",
            request=request,
            actor=actor,
            organization=invoice.organization,
            target=invoice,
            after={"message": message.pk, "kind": kind, "to": message.to, "offset_days": offset_days},
        )
        transaction.on_commit(lambda: async_task("messaging.tasks.deliver", message.pk))
    return message


# --- the worker ------------------------------------------------------------------------------


class MediaPrefixMismatch(Exception):
    """The PDF link does not start as the template's media URL does: a configuration error."""


def media_prefix() -> str:
    if settings.TWILIO_MEDIA_URL_PREFIX:
        return str(settings.TWILIO_MEDIA_URL_PREFIX)
    if links.cloudinary_configured():
        return f"{settings.CLOUDINARY_API_URL}/v1_1/"
    return f"{settings.SITE_URL}/"


def media_path(url: str) -> str:
    """The PDF link after the template's fixed media prefix: WhatsApp approves a media template with
    its URL fixed up to the domain (at least), so only the rest is variable {{5}}."""
    prefix = media_prefix()
    if not url.startswith(prefix):
        raise MediaPrefixMismatch(f"The PDF link does not start with TWILIO_MEDIA_URL_PREFIX ({prefix}).")
    return url[len(prefix) :]


def _one_line(text: str) -> str:
    """WhatsApp refuses a variable with a newline, a tab or more than four spaces in a row (21656)."""
    return " ".join(text.split())


def content_variables(message: Message) -> dict[str, str]:
    """The template's variables: 1 client, 2 invoice number, 3 amount due in the client's language,
    4 the public invoice link (view and pay), 5 the PDF link after the template's media prefix."""
    invoice = message.invoice
    with translation.override(invoice.client.language):
        amount = format_money(invoice.balance_due, invoice.currency)
    return {
        "1": _one_line(invoice.client.name),
        "2": _one_line(invoice.number),
        "3": amount,
        "4": public_invoice_url(invoice),
        "5": media_path(links.pdf_link(invoice)),
    }


def deliver(message_id: int) -> str:
    """Hand one pending message to Twilio; returns its status afterwards. Only one worker at a time
    acts on a message (the claim lapses by itself if its worker dies)."""
    if not _claim(message_id):
        return str(Message.objects.values_list("status", flat=True).get(pk=message_id))
    try:
        message = Message.objects.select_related("invoice__client", "invoice__organization").get(pk=message_id)
        _hand_over(message)
    finally:
        Message.objects.filter(pk=message_id).update(claimed_until=None)
    return message.status


def deliver_pending() -> int:
    """The safety net under the queued task: every pending message is handed over again."""
    pending = list(Message.objects.pending().order_by("created_at").values_list("pk", flat=True))
    for pk in pending:
        try:
            deliver(pk)
        except Exception:
            logger.exception("WhatsApp message %s could not be handed to Twilio", pk)
    return len(pending)


def follow_unsettled(now: datetime.datetime | None = None) -> int:
    """The safety net under the status callbacks, which Twilio does not retry when one is lost (our
    service down, a network fault): each message Twilio took FOLLOW_AFTER ago or more and that is
    neither delivered nor failed is asked about once per run, for FOLLOW_FOR. Returns how many."""
    now = now or timezone.now()
    sids = list(
        Message.objects.filter(
            status__in=(MessageStatus.QUEUED, MessageStatus.SENT),
            queued_at__lte=now - FOLLOW_AFTER,
            queued_at__gte=now - FOLLOW_FOR,
        )
        .exclude(provider_sid=None)
        .values_list("provider_sid", flat=True)
    )
    for sid in sids:
        try:
            reported = twilio.fetch_status(str(sid))
        except twilio.SendFault as fault:
            logger.warning("WhatsApp message %s: its status could not be read now: %s", sid, fault.message)
            continue
        record_status(str(sid), reported.status, reported.error_code, reported.error_message)
    return len(sids)


def _claim(message_id: int) -> bool:
    now = timezone.now()
    free = Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    claimable = Message.objects.pending().filter(free, pk=message_id, provider_sid__isnull=True)
    return bool(
        claimable.update(claimed_until=now + datetime.timedelta(seconds=CLAIM_SECONDS), attempts=F("attempts") + 1)
    )


def _outdated(message: Message) -> str:
    """Why a message waiting for a retry should no longer go out ('' when it still should): the
    invoice was cancelled or deleted, or, for a reminder, paid in the meantime."""
    invoice = message.invoice
    if not invoice.is_active or invoice.status == InvoiceStatus.CANCELLED:
        return errors.OUTDATED_INVOICE
    if message.kind == MessageKind.REMINDER and (invoice.status not in OPEN_STATUSES or invoice.balance_due <= 0):
        return errors.OUTDATED_REMINDER
    return ""


def _hand_over(message: Message) -> None:
    reason = _outdated(message)
    if reason:
        _fail(message, None, reason)
        return
    try:
        accepted = twilio.send_template(message.to, message.content_sid, content_variables(message))
    except links.LinkUnavailable as exc:
        _try_later(message, "The PDF could not be put behind a link", str(exc))
    except MediaPrefixMismatch as exc:
        _fail(message, None, str(exc))
    except twilio.SendFault as fault:
        if fault.permanent:
            _fail(message, fault.code, fault.message)
        else:
            _try_later(message, "Twilio did not take the message", fault.message)
    else:
        _accepted(message, accepted)


def _accepted(message: Message, accepted: twilio.Accepted) -> None:
    now = timezone.now()
    message.provider_sid = accepted.sid
    message.status = MessageStatus.QUEUED
    message.queued_at = now
    message.error_code, message.error_message = None, ""
    message.save(update_fields=["provider_sid", "status", "queued_at", "error_code", "error_message"])
    if accepted.status in TWILIO_STATUSES and accepted.status != MessageStatus.QUEUED:
        record_status(accepted.sid, accepted.status)


def _try_later(message: Message, what: str, detail: str) -> None:
    attempts = Message.objects.values_list("attempts", flat=True).get(pk=message.pk)
    if attempts >= settings.TWILIO_MAX_ATTEMPTS:
        _fail(message, None, f"{what} after {attempts} attempts: {detail}")
        return
    logger.warning("WhatsApp message %s: %s (%s); trying again later", message.pk, what, detail)
    Message.objects.filter(pk=message.pk).update(error_message=f"{what}: {detail}"[:500])
    message.error_message = f"{what}: {detail}"[:500]


def _fail(message: Message, code: int | None, text: str) -> None:
    with transaction.atomic():
        Message.objects.filter(pk=message.pk).update(
            status=MessageStatus.FAILED, error_code=code, error_message=text[:500], failed_at=timezone.now()
        )
        message.refresh_from_db()
        _audit_failure(message)


def _audit_failure(message: Message) -> None:
    record_event(
        "whatsapp.failed",
        organization=message.invoice.organization,
        target=message.invoice,
        after={"message": message.pk, "error_code": message.error_code, "error": message.error_message},
    )


# --- Twilio's status callbacks ---------------------------------------------------------------

_STATUS_TIME = {
    MessageStatus.QUEUED: "queued_at",
    MessageStatus.SENT: "sent_at",
    MessageStatus.DELIVERED: "delivered_at",
    MessageStatus.READ: "read_at",
    MessageStatus.FAILED: "failed_at",
    MessageStatus.UNDELIVERED: "failed_at",
}


def record_status(sid: str, status: str, error_code: int | None = None, error_message: str = "") -> Message | None:
    """Apply one status Twilio reported for message `sid`; None when the SID is not ours. Safe to
    repeat and to receive out of order: a status never replaces one further along, a failure is
    final, and each status is recorded once."""
    if status not in TWILIO_STATUSES:
        return None
    with transaction.atomic():
        message = (
            # Only the message's row: its invoice and organisation are read, never locked.
            Message.objects.select_for_update(of=("self",))
            .select_related("invoice__organization")
            .filter(provider_sid=sid)
            .first()
        )
        if message is None:
            return None
        _, new = MessageEvent.objects.get_or_create(message=message, status=status, defaults={"error_code": error_code})
        if not new:
            return message
        current = MessageStatus(message.status)
        reported = MessageStatus(status)
        changed: list[str] = []
        stamp = _STATUS_TIME[reported]
        if getattr(message, stamp) is None:  # a late "sent" still says when it was sent
            setattr(message, stamp, timezone.now())
            changed.append(stamp)
        if current not in FINAL and PROGRESS[reported] > PROGRESS[current]:
            message.status = reported
            changed.append("status")
            if reported in FINAL:
                message.error_code, message.error_message = error_code, error_message[:500]
                changed += ["error_code", "error_message"]
        if changed:
            message.save(update_fields=changed)
        if "status" in changed and reported in FINAL:
            _audit_failure(message)
    return message
