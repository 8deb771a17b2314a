"""Background jobs run by django-q: the daily billing runs (for today in the configured time zone),
the Peppol transmissions followed every five minutes, the Peppol inbox read every thirty, and the
access point's webhooks handled. Scheduled by the migrations that create the "invoices.*" django_q
Schedule rows.
"""

from __future__ import annotations

import logging

from django.utils.timezone import localdate

from invoices import reminders
from invoices.einvoicing import receiving, sending

logger = logging.getLogger(__name__)


def check_overdue_invoices() -> int:
    """Mark the invoices that fell due before today overdue; returns how many."""
    return reminders.mark_overdue_invoices(localdate())


def send_payment_reminders() -> int:
    """Send the payment reminders due today; returns how many were sent."""
    return reminders.send_payment_reminders(localdate())


def advance_transmission(transmission_id: int) -> str:
    """Move one Peppol transmission on (upload, send, status); returns its state afterwards."""
    return sending.advance(transmission_id)


def follow_transmissions() -> int:
    """Every few minutes: each Peppol transmission not yet delivered or failed takes its next step,
    so a lost webhook or a fault at the access point only delays it."""
    return sending.advance_live()


def einvoice_document_changed(document_id: str, event_type: str = "") -> str:
    """A signed webhook named this access point document: one we sent moves on, one we received is
    stored (an event without a type, as in the docs' oldest example, may be either)."""
    if event_type != "document.received" and sending.follow_document(document_id):
        return "followed"
    if event_type not in ("", "document.received"):
        return "not ours"
    try:
        return receiving.receive_document(document_id).outcome
    except receiving.ReceivingFailed as exc:  # the inbox poll receives it later
        logger.warning("Peppol document %s not received now: %s", document_id, exc)
        return "later"


def poll_peppol_inbox() -> dict[str, object]:
    """Receive the Peppol documents the access point holds and we have not stored yet (the safety
    net under the `document.received` webhook); returns what the poll did, for the task result."""
    poll = receiving.poll_inbox()
    counts = ("pages", "stored", "repeats", "duplicates", "skipped", "unknown_receiver", "unreadable", "failed")
    return {
        **{name: getattr(poll, name) for name in counts},
        "fault": poll.fault.message if poll.fault is not None else None,
    }
