"""The `data` of each webhook event: ids and numbers, money as decimal strings with its currency,
dates in ISO 8601. What a receiver needs to act without calling us back."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from integrations.models import Connection
from invoices.models import Client, CreditNote, Invoice, Payment

JSONData = dict[str, Any]


def money(amount: Decimal) -> str:
    return f"{amount:.2f}"


def iso_date(day: datetime.date | None) -> str | None:
    return day.isoformat() if day is not None else None


def client_data(client: Client) -> JSONData:
    return {
        "id": client.pk,
        "name": client.name,
        "email": client.email,
        "vat_number": client.vat_number,
        "currency": client.currency,
    }


def invoice_data(invoice: Invoice) -> JSONData:
    return {
        "id": invoice.pk,
        "number": invoice.number,
        "status": invoice.status,
        "client": {"id": invoice.client_id, "name": invoice.client.name},
        "currency": invoice.currency,
        "subtotal": money(invoice.subtotal),
        "vat_total": money(invoice.vat_total),
        "total": money(invoice.total),
        "amount_paid": money(invoice.amount_paid),
        "amount_credited": money(invoice.amount_credited),
        "balance_due": money(invoice.balance_due),
        "issue_date": iso_date(invoice.issue_date),
        "due_date": iso_date(invoice.due_date),
        "paid_on": iso_date(invoice.paid_on),
        "payment_reference": invoice.payment_reference,
    }


def _invoice_summary(invoice: Invoice | None) -> JSONData | None:
    if invoice is None:
        return None
    return {
        "id": invoice.pk,
        "number": invoice.number,
        "status": invoice.status,
        "balance_due": money(invoice.balance_due),
    }


def payment_data(payment: Payment) -> JSONData:
    return {
        "id": payment.pk,
        "amount": money(payment.amount),
        "currency": payment.currency,
        "date": iso_date(payment.date),
        "method": payment.method,
        "reference": payment.reference,
        "is_overpayment": payment.is_overpayment,
        "client": {"id": payment.client_id, "name": payment.client.name},
        "invoice": _invoice_summary(payment.invoice),
    }


def credit_note_data(credit_note: CreditNote) -> JSONData:
    return {
        "id": credit_note.pk,
        "number": credit_note.number,
        "issue_date": iso_date(credit_note.issue_date),
        "currency": credit_note.currency,
        "subtotal": money(credit_note.subtotal),
        "vat_total": money(credit_note.vat_total),
        "total": money(credit_note.total),
        "reason": credit_note.reason,
        "client": {"id": credit_note.client_id, "name": credit_note.client.name},
        "invoice": _invoice_summary(credit_note.invoice),
    }


def einvoice_data(invoice: Invoice, state: str, previous_state: str, error: str) -> JSONData:
    return {"invoice": _invoice_summary(invoice), "state": state, "previous_state": previous_state, "error": error}


def connection_data(connection: Connection) -> JSONData:
    return {
        "id": connection.pk,
        "provider": connection.provider,
        "name": str(connection),
        "status": connection.status,
        "consecutive_failures": connection.consecutive_failures,
        "last_error": connection.last_error,
        "last_error_class": connection.last_error_class,
        "last_success_at": connection.last_success_at.isoformat() if connection.last_success_at else None,
    }
