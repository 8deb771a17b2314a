"""The billing core's prefixes under `/api/v1/`."""

from __future__ import annotations

from typing import Any

from invoices.api.clients import ClientViewSet
from invoices.api.credit_notes import CreditNoteViewSet
from invoices.api.delivery_notes import DeliveryNoteViewSet
from invoices.api.invoices import InvoiceViewSet
from invoices.api.payments import PaymentViewSet

ROUTES: list[tuple[str, Any, str]] = [
    ("clients", ClientViewSet, "client"),
    ("invoices", InvoiceViewSet, "invoice"),
    ("payments", PaymentViewSet, "payment"),
    ("credit-notes", CreditNoteViewSet, "credit-note"),
    ("delivery-notes", DeliveryNoteViewSet, "delivery-note"),
]
