"""Client balances and statements: opening balance plus invoices, minus payments and credits."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum

from invoices.models import Client, CreditNote, Invoice, Payment
from invoices.money import ZERO, round_cents


@dataclass(frozen=True)
class Movement:
    date: datetime.date
    kind: str  # "invoice", "payment", "credit_note"
    document: str
    description: str
    currency: str
    debit: Decimal  # what the client owes more
    credit: Decimal  # what the client owes less
    balance: Decimal  # running balance in this currency after the movement
    pk: int


def client_balances(client: Client) -> dict[str, Decimal]:
    """What the client owes, per currency (negative: we owe the client), in one query:
    the open amounts of issued invoices less the general payments on account."""
    open_amounts = (
        Invoice.objects.issued().filter(client=client).values("currency").annotate(amount=Sum("balance_due")).order_by()
    )
    general_payments = (
        Payment.objects.filter(client=client, invoice__isnull=True)
        .values("currency")
        .annotate(amount=-Sum("amount"))
        .order_by()
    )
    balances: dict[str, Decimal] = defaultdict(lambda: ZERO)
    balances[client.currency] += client.opening_balance
    for row in open_amounts.union(general_payments, all=True):
        balances[row["currency"]] += round_cents(row["amount"])
    return dict(balances)


def statement(client: Client) -> list[Movement]:
    """Every movement on the client's account in date order, with a running balance per currency."""
    rows: list[tuple[datetime.date, int, str, str, str, str, Decimal, Decimal, int]] = []
    for invoice in Invoice.objects.issued().filter(client=client).only("issue_date", "number", "currency", "total"):
        rows.append(
            (
                invoice.issue_date,
                0,
                "invoice",
                invoice.number,
                "Invoice",
                invoice.currency,
                invoice.total,
                ZERO,
                invoice.pk,
            )
        )
    for note in (
        CreditNote.objects.filter(client=client)
        .select_related("invoice")
        .only("issue_date", "number", "currency", "total", "invoice__number")
    ):
        rows.append(
            (
                note.issue_date,
                1,
                "credit_note",
                note.number,
                f"Credit on {note.invoice.number}",
                note.currency,
                ZERO,
                note.total,
                note.pk,
            )
        )
    for payment in (
        Payment.objects.filter(client=client)
        .select_related("invoice")
        .only("date", "currency", "amount", "reference", "invoice__number")
    ):
        label = f"Payment on {payment.invoice.number}" if payment.invoice else "General payment"
        rows.append(
            (payment.date, 2, "payment", payment.reference, label, payment.currency, ZERO, payment.amount, payment.pk)
        )
    rows.sort(key=lambda row: (row[0], row[1], row[8]))
    running: dict[str, Decimal] = defaultdict(lambda: ZERO)
    running[client.currency] = client.opening_balance
    movements = []
    for date, _, kind, document, description, currency, debit, credit, pk in rows:
        running[currency] += debit - credit
        movements.append(Movement(date, kind, document, description, currency, debit, credit, running[currency], pk))
    return movements
