"""django-q entry points for Yuki."""

from __future__ import annotations

from integrations.yuki.booking import book_in_yuki
from invoices.models import Invoice


def book_invoice(invoice_id: int) -> str:
    booking = book_in_yuki(Invoice.objects.get(pk=invoice_id))
    return f"{'booked' if booking.succeeded else 'not booked'}: {booking.message}"
