"""Client balances and statements: opening balance plus invoices, minus payments and credits."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import CharField, DecimalField, F, IntegerField, Q, QuerySet, Sum, Value
from django.db.models.functions import Cast, Coalesce
from django.utils.translation import gettext

from core.pagination import PAGE_SIZE, Page
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


@dataclass(frozen=True)
class Statement:
    """One page of a client's statement."""

    opening: dict[str, Decimal]  # per currency, brought forward to the first movement shown
    movements: list[Movement]
    page: Page  # of the movements: its number and whether another follows

    @property
    def closing(self) -> dict[str, Decimal]:
        """Per currency after the last movement shown: what the next page opens with."""
        balances = dict(self.opening)
        for movement in self.movements:
            balances[movement.currency] = movement.balance
        return balances


_TEXT: CharField[str, str] = CharField(max_length=200)
_MONEY: DecimalField[Decimal, Decimal] = DecimalField(max_digits=14, decimal_places=2)
_RANK: IntegerField[int, int] = IntegerField()


def _movement_sources(client: Client) -> list[QuerySet[Any]]:
    """Invoices, credit notes and payments of the client as rows of one shape (for a UNION)."""

    def shape(
        queryset: QuerySet[Any], *, rank: int, kind: str, day: str, document: str, about: Any, debit: Any, credit: Any
    ) -> QuerySet[Any]:
        return queryset.order_by().values(
            "id",
            day=F(day),
            rank=Value(rank, output_field=_RANK),
            kind=Value(kind, output_field=_TEXT),
            document=Coalesce(F(document), Value(""), output_field=_TEXT),
            about=Coalesce(about, Value(""), output_field=_TEXT),
            money=F("currency"),
            debit=Cast(debit, _MONEY),
            credit=Cast(credit, _MONEY),
        )

    return [
        shape(
            Invoice.objects.issued().filter(client=client),
            rank=0,
            kind="invoice",
            day="issue_date",
            document="number",
            about=Value(""),
            debit=F("total"),
            credit=Value(ZERO),
        ),
        shape(
            CreditNote.objects.filter(client=client),
            rank=1,
            kind="credit_note",
            day="issue_date",
            document="number",
            about=F("invoice__number"),
            debit=Value(ZERO),
            credit=F("total"),
        ),
        shape(
            Payment.objects.filter(client=client),
            rank=2,
            kind="payment",
            day="date",
            document="reference",
            about=F("invoice__number"),
            debit=Value(ZERO),
            credit=F("amount"),
        ),
    ]


def _description(kind: str, about: str) -> str:
    if kind == "invoice":
        return gettext("Invoice")
    if kind == "credit_note":
        return gettext("Credit on %(invoice)s") % {"invoice": about}
    return gettext("Payment on %(invoice)s") % {"invoice": about} if about else gettext("General payment")


def _net_amounts(client: Client) -> list[tuple[QuerySet[Any], str, Any]]:
    """Per kind of movement, in rank order: its rows, their date field, and what they add to
    the balance. Plain aggregates: the shaped rows of `_movement_sources` cost several times as
    much to compile, and the sums need none of their columns."""
    return [
        (Invoice.objects.issued().filter(client=client), "issue_date", Sum("total")),
        (CreditNote.objects.filter(client=client), "issue_date", -Sum("total")),
        (Payment.objects.filter(client=client), "date", -Sum("amount")),
    ]


def _before(rows: QuerySet[Any], day: str, rank: int, first: dict[str, Any] | None) -> QuerySet[Any]:
    """The rows (all of this rank) that the statement orders, by (day, rank, id), before
    `first`; all of them when there is no first row."""
    if first is None:
        return rows
    if rank < first["rank"]:
        return rows.filter(**{f"{day}__lte": first["day"]})
    if rank > first["rank"]:
        return rows.filter(**{f"{day}__lt": first["day"]})
    return rows.filter(Q(**{f"{day}__lt": first["day"]}) | Q(**{day: first["day"], "id__lt": first["id"]}))


def statement(client: Client, since: datetime.date | None = None, number: int = 1, size: int = PAGE_SIZE) -> Statement:
    """Page `number` of the movements on the client's account from `since` (all when None), in
    date order, with a running balance per currency from everything before the page, so each
    page opens with the balance the previous one closed with. Two queries, however long the
    history: the page's rows, then the sums of what precedes its first row."""
    sources = _movement_sources(client)  # their rank is their position
    shown = [q.filter(day__gte=since) for q in sources] if since is not None else sources
    start = (number - 1) * size
    rows = list(shown[0].union(*shown[1:], all=True).order_by("day", "rank", "id")[start : start + size + 1])
    opening: dict[str, Decimal] = defaultdict(lambda: ZERO)
    opening[client.currency] += client.opening_balance
    if rows or number > 1 or since is not None:
        # Before the page's first row; past the last page, before nothing: all of it. An empty
        # first page of a period opens with what came before the period.
        first = rows[0] if rows else None if number > 1 else {"day": since, "rank": -1, "id": 0}
        sums = [
            _before(queryset, day, rank, first).values("currency").annotate(net=net).order_by()
            for rank, (queryset, day, net) in enumerate(_net_amounts(client))
        ]
        for row in sums[0].union(*sums[1:], all=True):
            opening[row["currency"]] += round_cents(row["net"])
    running = dict(opening)
    movements = []
    for row in rows[:size]:
        currency = row["money"]
        running[currency] = running.get(currency, ZERO) + row["debit"] - row["credit"]
        movements.append(
            Movement(
                row["day"],
                row["kind"],
                row["document"],
                _description(row["kind"], row["about"]),
                currency,
                round_cents(row["debit"]),
                round_cents(row["credit"]),
                round_cents(running[currency]),
                row["id"],
            )
        )
    return Statement(dict(opening), movements, Page(movements, number, len(rows) > size))
