"""Bookkeeping on top of a ledger: sales and purchase invoices, bank lines, payments, journal entries.

Every booking balances. A sales invoice books the debtor (gross), revenue (net) and VAT payable;
a purchase invoice the creditor, the cost and VAT receivable; a payment moves the open amount
between the bank and the debtor or creditor and lowers the item's open amount.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from sandboxes.yuki.charts import Chart
from sandboxes.yuki.ledger import Ledger, Line
from sandboxes.yuki.records import (
    BANK_LINE,
    PURCHASE_INVOICE,
    SALES_INVOICE,
    Contact,
    Document,
    Entry,
    OpenItem,
    Project,
    VatCode,
)

TRANSFER = "Overschrijving"
PAYMENT_TERM_DAYS = 30


def percent_of(cents: int, percentage: Decimal) -> int:
    return int((Decimal(cents) * percentage / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def net_of(gross: int, percentage: Decimal) -> int:
    return int((Decimal(gross) * 100 / (100 + percentage)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass(frozen=True, slots=True)
class Amount:
    """A net amount on a revenue or cost account (the role's default when `code` is None)."""

    net: int
    vat: VatCode
    code: str | None = None
    project: Project | None = None
    description: str | None = None
    tax_cents: int | None = None  # when the VAT was computed from a gross amount

    @property
    def tax(self) -> int:
        return percent_of(self.net, self.vat.percentage) if self.tax_cents is None else self.tax_cents

    @classmethod
    def from_gross(cls, gross: int, vat: VatCode, code: str | None = None, project: Project | None = None) -> Amount:
        net = net_of(gross, vat.percentage)
        return cls(net, vat, code, project, tax_cents=gross - net)


@dataclass(frozen=True, slots=True)
class Invoice:
    reference: str
    day: date
    due: date | None
    contact: Contact | None
    description: str
    amounts: Sequence[Amount]
    created: datetime
    payment_reference: str = ""
    payment_method: str = TRANSFER

    @property
    def gross(self) -> int:
        return sum(amount.net + amount.tax for amount in self.amounts)


@dataclass
class Books:
    ledger: Ledger
    statements: dict[tuple[str, int, int], Document] = field(default_factory=dict)

    @property
    def chart(self) -> Chart:
        return self.ledger.chart

    def role(self, name: str) -> str:
        return self.ledger.chart.code(name)

    # --- invoices ---------------------------------------------------------------------------------
    def sales_invoice(self, invoice: Invoice) -> OpenItem:
        return self._invoice(invoice, "debtor")

    def purchase_invoice(self, invoice: Invoice) -> OpenItem:
        return self._invoice(invoice, "creditor")

    def _invoice(self, invoice: Invoice, side: str) -> OpenItem:
        sales = side == "debtor"
        sign = -1 if sales else 1  # revenue is a credit, a cost a debit
        document = self.ledger.document(
            invoice.reference or invoice.description,
            SALES_INVOICE[1] if sales else PURCHASE_INVOICE[1],
            "Verkoop" if sales else "Inkoop",
            "Facturen",
        )
        gross = invoice.gross
        contact = invoice.contact
        text = invoice.description
        lines = [Line(self.role("debtors" if sales else "creditors"), -sign * gross, text, contact)]
        taxes: dict[VatCode, int] = {}
        default = self.role("revenue" if sales else "office")
        for amount in invoice.amounts:
            code = amount.code or default
            lines.append(Line(code, sign * amount.net, amount.description or text, contact, amount.project, amount.vat))
            if amount.tax:
                taxes[amount.vat] = taxes.get(amount.vat, 0) + amount.tax
        vat_role = self.role("vat_payable" if sales else "vat_receivable")
        lines.extend(Line(vat_role, sign * tax, text, contact, vat=vat) for vat, tax in taxes.items())
        self.ledger.book(invoice.day, lines, invoice.created, document)
        item = OpenItem(
            number=0,
            side=side,
            type=SALES_INVOICE if sales else PURCHASE_INVOICE,
            day=invoice.day,
            due=invoice.due,
            contact=contact,
            description=text,
            original_cents=gross,
            open_cents=gross,
            reference=invoice.reference,
            payment_reference=invoice.payment_reference,
            document=document,
            payment_method=invoice.payment_method,
            created=invoice.created,
        )
        return self.ledger.add_item(item)

    # --- bank ---------------------------------------------------------------------------------------
    def statement(self, bank: str, day: date, reference: str) -> Document:
        key = (bank, day.year, day.month)
        document = self.statements.get(key)
        if document is None:
            document = self.ledger.document(f"{reference} {day:%Y-%m}", "Bankafschrift", "Bank", "Afschriften")
            self.statements[key] = document
        return document

    def bank(
        self,
        bank: str,
        day: date,
        cents: int,
        description: str,
        counter: Sequence[Line],
        created: datetime,
        document: Document | None = None,
        contact: Contact | None = None,
    ) -> list[Entry]:
        """A bank line and its counter lines (which must add up to minus the bank amount)."""
        lines = [Line(bank, cents, description, contact), *counter]
        return self.ledger.book(day, lines, created, document)

    def pay(
        self,
        item: OpenItem,
        bank: str,
        day: date,
        cents: int,
        description: str,
        created: datetime,
        document: Document | None = None,
    ) -> list[Entry]:
        """A payment of (part of) an open item through the bank: positive `cents` reduce what is open."""
        debtor = item.side == "debtor"
        moved = cents if debtor else -cents
        role = self.role("debtors" if debtor else "creditors")
        entries = self.bank(
            bank,
            day,
            moved,
            description,
            [Line(role, -moved, description, item.contact)],
            created,
            document,
            item.contact,
        )
        item.open_cents -= cents
        return entries

    def unmatched(self, item_side: str, bank_line: Entry, contact: Contact | None) -> OpenItem:
        """An open item for a bank line booked on a debtor or creditor without an invoice to match."""
        cents = -bank_line.cents if item_side == "debtor" else bank_line.cents
        item = OpenItem(
            number=0,
            side=item_side,
            type=BANK_LINE,
            day=bank_line.day,
            due=None,
            contact=contact,
            description=bank_line.description,
            original_cents=cents,
            open_cents=cents,
            reference="",
            payment_reference="",
            document=bank_line.document,
            payment_method="",
            created=bank_line.created,
        )
        return self.ledger.add_item(item)

    def journal(self, day: date, lines: Sequence[Line], created: datetime) -> list[Entry]:
        """A general-journal (memorial) booking."""
        return self.ledger.book(day, lines, created)
