"""The daily billing jobs: mark past-due invoices overdue, and send payment reminders (by email, or
by WhatsApp to a client who prefers it).

Both take the day to act for, run across all organisations, work in batches and are safe to
run twice: an invoice is marked overdue once, and each reminder stage is sent at most once
(ReminderLog's unique (invoice, offset_days) row is claimed before the email goes out).
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from core.audit import record_event
from core.http import current_request_id
from core.models import AuditEvent
from invoices.models import BillingProfile, Invoice, InvoiceStatus, ReminderLog
from invoices.models.clients import Channel
from invoices.models.invoices import InvoiceQuerySet
from invoices.models.profile import default_reminder_offsets
from invoices.notifications import send_reminder_email
from messaging import services as whatsapp
from messaging.models import MessageKind
from webhooks import events as webhook_events

logger = logging.getLogger(__name__)

BATCH_SIZE = 1000
# A mail server that refused this many reminders in a row is down: stop, retry next run.
MAX_CONSECUTIVE_FAILURES = 5
INVOICE_TARGET = Invoice._meta.label_lower


# --- overdue ------------------------------------------------------------------------------


def mark_overdue_invoices(today: datetime.date, *, batch_size: int = BATCH_SIZE) -> int:
    """Mark every active sent or partly paid invoice due before `today` overdue, in all
    organisations, with one audit event each. Returns how many were marked."""
    marked = 0
    last_pk = 0
    while True:
        with transaction.atomic():
            # Locked, so a payment landing meanwhile either commits first (and the row drops
            # out of past_due) or waits for this batch: the audited "before" is what was replaced.
            rows = list(
                Invoice.objects.past_due(today)
                .filter(pk__gt=last_pk)
                .order_by("pk")
                .select_for_update()
                .values_list("pk", "organization_id", "number", "status")[:batch_size]
            )
            if not rows:
                return marked
            last_pk = rows[-1][0]
            ids = [row[0] for row in rows]
            Invoice.objects.filter(pk__in=ids).update(status=InvoiceStatus.OVERDUE, updated_at=timezone.now())
            AuditEvent.objects.bulk_create(_overdue_events(rows))
            webhook_events.invoices_overdue(ids)
            marked += len(rows)


def _overdue_events(rows: Iterable[tuple[int, int, str, str]]) -> Iterator[AuditEvent]:
    request_id = current_request_id()
    for pk, organization_id, number, status in rows:
        yield AuditEvent(
            organization_id=organization_id,
            actor=None,
            action="invoice.overdue",
            target_type=INVOICE_TARGET,
            target_id=str(pk),
            target_repr=number[:200],
            request_id=request_id,
            changes={"before": {"status": str(status)}, "after": {"status": str(InvoiceStatus.OVERDUE)}},
        )


# --- reminders ----------------------------------------------------------------------------


def _whole_days(raw: Any) -> list[int]:
    """Reminder offsets as configured, ascending. The JSON field may hold anything: keep
    whole numbers of days (not booleans), each once."""
    if not isinstance(raw, list):
        return []
    return sorted({value for value in raw if isinstance(value, int) and not isinstance(value, bool)})


def reminder_offsets_by_organization() -> dict[int, list[int]]:
    """Each organisation's reminder stages, for those with a billing profile (one query; the
    others use the default stages). An organisation that switched reminders off has none."""
    return {
        organization_id: _whole_days(raw) if send_reminders else []
        for organization_id, send_reminders, raw in BillingProfile.objects.values_list(
            "organization_id", "send_reminders", "reminder_offsets"
        )
    }


def stage_to_send(offsets: list[int], due_date: datetime.date, today: datetime.date, logged: set[int]) -> int | None:
    """The latest stage that is due (today >= due date + offset), unless that stage or a later
    one was already sent: an invoice found 20 days late gets the 14-day reminder only."""
    due = [offset for offset in offsets if today >= due_date + datetime.timedelta(days=offset)]
    if not due:
        return None
    stage = due[-1]
    if logged and max(logged) >= stage:
        return None
    return stage


_BY_WHATSAPP = Q(client__preferred_channel=Channel.WHATSAPP) & ~Q(client__whatsapp_number="")


def _remindable() -> InvoiceQuerySet:
    """Open, unpaid invoices of organisations that send reminders, to clients with an email or,
    when WhatsApp is set up, a WhatsApp number they prefer."""
    reachable = ~Q(client__email="")
    if whatsapp.available(MessageKind.REMINDER):
        reachable |= _BY_WHATSAPP
    queryset: InvoiceQuerySet = (
        Invoice.objects.open()
        .filter(balance_due__gt=0)
        .filter(reachable)
        .exclude(organization__billing_profile__send_reminders=False)
    )
    return queryset


def _by_whatsapp(invoice: Invoice) -> bool:
    """The client prefers WhatsApp, has a number, and WhatsApp is set up; else email it is."""
    return (
        invoice.client.preferred_channel == Channel.WHATSAPP
        and bool(invoice.client.whatsapp_number)
        and whatsapp.available(MessageKind.REMINDER)
    )


def logged_stages(invoice_ids: list[int]) -> dict[int, set[int]]:
    """The stages already sent, per invoice: one query for a whole batch."""
    stages: dict[int, set[int]] = defaultdict(set)
    for invoice_id, offset in ReminderLog.objects.filter(invoice_id__in=invoice_ids).values_list(
        "invoice_id", "offset_days"
    ):
        stages[invoice_id].add(offset)
    return stages


def _send_stage(invoice_id: int, stage: int, today: datetime.date) -> bool:
    """Claim the stage, then send. False when the invoice was settled since the batch was read
    or another run holds the claim. A mail server error rolls the claim back (the next run
    retries the stage) and propagates."""
    try:
        with transaction.atomic():
            # Read again: the batch may be minutes old when a slow mail server is involved.
            invoice: Invoice | None = (
                _remindable()
                .select_related("client", "organization", "organization__billing_profile")
                .filter(pk=invoice_id)
                .first()
            )
            if invoice is None:
                return False
            by_whatsapp = _by_whatsapp(invoice)
            recipient = invoice.client.whatsapp_number if by_whatsapp else invoice.client.email
            # A concurrent run inserting the same (invoice, stage) waits here for this
            # transaction, then fails on the unique constraint and skips.
            ReminderLog.objects.create(
                organization_id=invoice.organization_id, invoice=invoice, offset_days=stage, recipient=recipient
            )
            if by_whatsapp:  # queued with the claim; the worker hands it to Twilio
                whatsapp.send_reminder_whatsapp(invoice, stage)
            else:
                send_reminder_email(invoice, stage, today=today)
            record_event(
                "invoice.reminder_sent",
                organization=invoice.organization,
                target=invoice,
                after={
                    "offset_days": stage,
                    "recipient": recipient,
                    **({"channel": "whatsapp"} if by_whatsapp else {}),
                },
            )
    except IntegrityError:
        logger.info("invoice %s: reminder stage %+d already claimed, skipped", invoice_id, stage)
        return False
    return True


def send_payment_reminders(today: datetime.date, *, batch_size: int = BATCH_SIZE) -> int:
    """Email the reminder due `today` for every open invoice, in all organisations. Returns
    how many were sent. A failed email is logged and retried on the next run; after
    MAX_CONSECUTIVE_FAILURES in a row the run stops rather than wait on a dead mail server.

    The scan reads three columns per invoice and the logs of a whole batch at once; only
    invoices with a reminder to send are loaded in full."""
    configured = reminder_offsets_by_organization()
    default = default_reminder_offsets()
    # No stage of anyone is due yet for invoices due later than this.
    earliest = min([*default, *(offset for offsets in configured.values() for offset in offsets)])
    candidates = _remindable().filter(due_date__lte=today - datetime.timedelta(days=earliest)).order_by("pk")
    sent = failures = 0
    last_pk = 0
    while True:
        rows = list(candidates.filter(pk__gt=last_pk).values_list("pk", "organization_id", "due_date")[:batch_size])
        if not rows:
            return sent
        last_pk = rows[-1][0]
        logged = logged_stages([pk for pk, _, _ in rows])
        for pk, organization_id, due_date in rows:
            offsets = configured.get(organization_id, default)
            try:
                stage = stage_to_send(offsets, due_date, today, logged.get(pk, set()))
            except OverflowError:  # a date at the edge of the calendar: skip it, remind the others
                logger.warning("invoice %s: due date %s is out of range for reminders", pk, due_date)
                continue
            if stage is None:
                continue
            try:
                if _send_stage(pk, stage, today):
                    sent += 1
            except OSError as exc:
                logger.warning("invoice %s: reminder stage %+d could not be sent: %s", pk, stage, exc)
                failures += 1
                if failures >= MAX_CONSECUTIVE_FAILURES:
                    logger.error("payment reminders stopped after %d failed emails in a row: %s", failures, exc)
                    return sent
            else:
                failures = 0
