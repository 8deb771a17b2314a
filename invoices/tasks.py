"""Background jobs run by django-q: the daily billing runs, for today in the configured time zone,
and the poll of the Peppol inbox (`poll_peppol_inbox`, not scheduled yet).

Scheduled by the migration that creates the "invoices.*" django_q Schedule rows.
"""

from __future__ import annotations

from django.utils.timezone import localdate

from invoices import reminders
from invoices.einvoicing import receiving, sending


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


def einvoice_document_changed(document_id: str) -> bool:
    """A signed webhook named this access point document: one we sent moves on."""
    return sending.follow_document(document_id)


def poll_peppol_inbox() -> dict[str, object]:
    """Receive the Peppol documents the access point holds and we have not stored yet (the safety
    net under the `document.received` webhook); returns what the poll did, for the task result."""
    poll = receiving.poll_inbox()
    return {
        "pages": poll.pages,
        "stored": poll.stored,
        "duplicates": poll.duplicates,
        "unknown_receiver": poll.unknown_receiver,
        "unreadable": poll.unreadable,
        "fault": poll.fault.message if poll.fault is not None else None,
    }
