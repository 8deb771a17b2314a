"""Billing services: every write that must be atomic and audited goes through here."""

from __future__ import annotations

from invoices.services.challans import convert_challan_to_invoice, create_challan
from invoices.services.clients import new_client_language, save_client
from invoices.services.common import Line
from invoices.services.invoicing import (
    EmailDeliveryError,
    cancel_invoice,
    create_invoice,
    duplicate_invoice,
    send_invoice,
    update_invoice,
)
from invoices.services.lifecycle import restore, soft_delete
from invoices.services.settlement import issue_credit_note, record_payment

__all__ = [
    "EmailDeliveryError",
    "Line",
    "cancel_invoice",
    "convert_challan_to_invoice",
    "create_challan",
    "create_invoice",
    "duplicate_invoice",
    "issue_credit_note",
    "new_client_language",
    "record_payment",
    "restore",
    "save_client",
    "send_invoice",
    "soft_delete",
    "update_invoice",
]
