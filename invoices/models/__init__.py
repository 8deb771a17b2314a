"""Billing: clients, invoices, payments, credit notes, delivery notes, reminders."""

from __future__ import annotations

from invoices.models.catalogue import Product
from invoices.models.challans import Challan, ChallanItem
from invoices.models.clients import Client, ClientBankAccount
from invoices.models.credit_notes import CreditNote, CreditNoteItem
from invoices.models.invoices import OPEN_STATUSES, Invoice, InvoiceItem, InvoiceSource, InvoiceStatus
from invoices.models.numbering import DocumentSequence, Series, next_number
from invoices.models.payments import Payment, PaymentMethod
from invoices.models.profile import BillingProfile
from invoices.models.reminders import ReminderLog
from invoices.models.transmissions import LIVE_STATES, Transmission, TransmissionState

__all__ = [
    "LIVE_STATES",
    "OPEN_STATUSES",
    "BillingProfile",
    "Challan",
    "ChallanItem",
    "Client",
    "ClientBankAccount",
    "CreditNote",
    "CreditNoteItem",
    "DocumentSequence",
    "Invoice",
    "InvoiceItem",
    "InvoiceSource",
    "InvoiceStatus",
    "Payment",
    "PaymentMethod",
    "Product",
    "ReminderLog",
    "Series",
    "Transmission",
    "TransmissionState",
    "next_number",
]
