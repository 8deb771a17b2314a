"""Figures about a client's payment behaviour."""

from __future__ import annotations

from invoices.models import Client, Invoice, InvoiceStatus


def average_days_to_pay(client: Client) -> float | None:
    """Mean days from issue to the last payment, over the client's paid invoices."""
    rows = Invoice.objects.filter(client=client, status=InvoiceStatus.PAID).values_list("issue_date", "paid_on")
    delays = [(paid_on - issued).days for issued, paid_on in rows if paid_on is not None]
    return round(sum(delays) / len(delays), 1) if delays else None
