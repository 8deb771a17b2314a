"""django-q entry points for the connectors."""

from __future__ import annotations

from integrations.models import SyncTrigger
from integrations.runner import run_sync


def book_invoice(invoice_id: int) -> str:
    from integrations.yuki.booking import book_in_yuki
    from invoices.models import Invoice

    booking = book_in_yuki(Invoice.objects.get(pk=invoice_id))
    return f"{'booked' if booking.succeeded else 'not booked'}: {booking.message}"


def sync_connection(connection_id: int, trigger: str = SyncTrigger.SCHEDULE) -> str:
    run = run_sync(connection_id, trigger)
    if run is None:
        return "already running: coalesced"
    return f"{run.status}: +{run.rows_added} ~{run.rows_updated} ={run.rows_unchanged}"
