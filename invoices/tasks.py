"""Background jobs run by django-q: the daily billing runs, for today in the configured time zone.

Scheduled by the migration that creates the "invoices.*" django_q Schedule rows.
"""

from __future__ import annotations

from django.utils.timezone import localdate

from invoices import reminders


def check_overdue_invoices() -> int:
    """Mark the invoices that fell due before today overdue; returns how many."""
    return reminders.mark_overdue_invoices(localdate())


def send_payment_reminders() -> int:
    """Send the payment reminders due today; returns how many were sent."""
    return reminders.send_payment_reminders(localdate())
