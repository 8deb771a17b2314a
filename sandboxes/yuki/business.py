"""The main administration's books: the accounting of the Ponto sandbox's demo business.

The Ponto seeder is run with the same seed, clock and sizes as `PontoSandbox`, and every booked
Ponto transaction becomes a line on the matching bank GL account (550000 for the main account in
Belgium) with the same day, amount and counterparty, plus its counter line(s):

* a structured payment `structured_reference(year * 1_000_000 + n)` pays sales invoice `INV-year-nnnn`
  (dated a week earlier, same customer, same gross amount); a few recent ones only in part;
* a supplier transfer pays a purchase invoice from that supplier; salaries, rent, subscriptions,
  bank fees, VAT, interest and own transfers go to their cost, liability or transfer accounts;
* other customer transfers are revenue received without an invoice; the last two are left
  unmatched on the debtors account (they show with `includeBankTransactions=true`).

Invoices after the last paid one of each year stay open (`open_items` of them in all).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from random import Random

from sandboxes.kit.references import structured_reference
from sandboxes.ponto import catalog
from sandboxes.ponto.generator import INVOICES_PER_YEAR
from sandboxes.ponto.records import Account as PontoAccount
from sandboxes.ponto.records import Transaction as PontoTransaction
from sandboxes.ponto.seeding import Window
from sandboxes.yuki.books import PAYMENT_TERM_DAYS, Amount, Books, Invoice, net_of
from sandboxes.yuki.formats import at_local, local_day, to_cents
from sandboxes.yuki.ledger import Line
from sandboxes.yuki.records import Contact, Document, OpenItem, Project

PROJECTS = (
    Project("WEB", "Websites"),
    Project("BRAND", "Huisstijl en branding"),
    Project("EVENT", "Evenementen"),
    Project("SUPPORT", "Onderhoudscontracten"),
)
SERVICES = ("Webdesign", "Onderhoud website", "Fotografie", "Drukwerk", "Advies", "Workshop", "Huisstijl")
MONTHS = catalog.MONTHS_NL
SUPPLIER_ROLES = {
    "Vanden Borre Business NV": "goods",
    "Coolblue België NV": "goods",
    "Koffie Kàn NV": "representation",
    "Accountantskantoor Mertens BV": "fees",
    "Schoonmaak Service Vlaanderen BV": "cleaning",
}
SUBSCRIPTION_ROLES = {
    "Proximus NV": "telecom",
    "Telenet BV": "telecom",
    "Microsoft Ireland Operations Ltd": "software",
    "Securex VZW": "payroll",
    "Ethias NV": "insurance",
    "Adobe Systems Software Ireland Ltd": "software",
}
TRAVEL = ("SHELL", "TOTALENERGIES", "Q8", "NMBS", "STIB", "PARKING")
FOOD = ("BRASSERIE", "EXKI", "COLRUYT", "DELHAIZE", "ALDI", "CARREFOUR")
UNMATCHED_RECEIPTS = 2
_NON_DIGITS = re.compile(r"\D")


@dataclass(slots=True)
class Planned:
    """A sales invoice of the INV series: paid by a Ponto payment, partly paid, or open."""

    year: int
    number: int
    day: date
    contact: Contact
    gross: int
    payment: PontoTransaction | None = None
    open_part: int = 0
    item: OpenItem | None = None

    @property
    def reference(self) -> str:
        return f"INV-{self.year}-{self.number:04d}"


def invoice_number(transaction: PontoTransaction) -> tuple[int, int] | None:
    """(year, n) of a structured invoice payment, as the invoices app builds the references."""
    if transaction.remittance_information_type != "structured" or not transaction.remittance_information:
        return None
    digits = _NON_DIGITS.sub("", transaction.remittance_information)
    if len(digits) != 12:
        return None
    base = int(digits[:10])
    return base // 1_000_000, base % 1_000_000


class Business:
    """Books the demo business into `books`; `customers`/`suppliers` are contacts by (Ponto) name."""

    def __init__(
        self,
        books: Books,
        accounts: list[PontoAccount],
        window: Window,
        contacts: dict[str, Contact],
        rng: Random,
        now: datetime,
    ) -> None:
        self.books, self.accounts, self.window = books, accounts, window
        self.contacts, self.rng, self.now = contacts, rng, now
        self.customers = [c for c in contacts.values() if c.is_customer]
        self.suppliers = [c for c in contacts.values() if c.is_supplier]
        self.invoices: dict[tuple[int, int], Planned] = {}
        vat_codes = books.chart.vat_codes
        self.high, self.low = vat_codes[0], vat_codes[1]

    # --- helpers ------------------------------------------------------------------------------------
    def created(self, day: date, hour: int, minute: int = 0) -> datetime:
        """When Yuki recorded a booking: a local time that day (never after now), to the millisecond."""
        moment = at_local(day, hour, minute) + timedelta(milliseconds=self.rng.randrange(60_000))
        return min(moment, self.now - timedelta(minutes=1))

    def subject(self, day: date) -> str:
        return f"{self.rng.choice(SERVICES)} {MONTHS[day.month - 1]} {day.year}"

    def amounts(self, gross: int) -> list[Amount]:
        """One revenue amount of exactly `gross` including 21% VAT, sometimes for a project."""
        return [Amount.from_gross(gross, self.high, project=self.rng.choice((*PROJECTS, None, None)))]

    def role(self, name: str) -> str:
        return self.books.role(name)

    # --- the whole administration --------------------------------------------------------------
    def build(self, open_items: int, open_creditor_items: int) -> None:
        main = self.accounts[0]
        payments = {number: t for t in main.transactions if (number := self._paid_invoice(t)) is not None}
        planned = self._plan(payments)
        partial = self._partly_paid(planned, open_items)
        missing = sum(1 for p in planned if p.payment is None)
        planned += self._open_invoices(planned, max(0, open_items - len(partial) - missing))
        for plan in planned:
            self._book_sale(plan)
        receipts = [t for t in main.transactions if self._kind(t) == "receipt"][-UNMATCHED_RECEIPTS:]
        supplier_payments = [t for t in main.transactions if self._kind(t) == "supplier"]
        unmatched = {id(t) for t in receipts + supplier_payments[-1:]}
        for index, account in enumerate(self.accounts):
            for transaction in account.transactions:
                self._book_bank(index, account, transaction, unmatched=id(transaction) in unmatched)
        self._open_purchases(open_creditor_items)
        self._cash()
        self._opening()

    # --- sales invoices -----------------------------------------------------------------------------
    def _paid_invoice(self, transaction: PontoTransaction) -> tuple[int, int] | None:
        if self._kind(transaction) != "invoice":
            return None
        return invoice_number(transaction)

    def _plan(self, payments: dict[tuple[int, int], PontoTransaction]) -> list[Planned]:
        """The INV invoices behind Ponto's invoice payments, numbered as Ponto numbers them per year."""
        window, rng = self.window, self.rng
        planned = []
        for year in range(window.start.year, window.end.year + 1):
            first, last = max(window.start, date(year, 1, 1)), min(window.end, date(year, 12, 31))
            covered = (last - first).days + 1
            count = max(1, round(INVOICES_PER_YEAR * covered / 365))
            for number in range(1, count + 1):
                payment = payments.get((year, number))
                nominal = first + timedelta(days=int((number - 0.5) * covered / count))
                paid_on = local_day(payment.execution_date) if payment else window.business_day(nominal) or nominal
                day = max(first, paid_on - timedelta(days=7))
                if payment is not None:
                    contact, gross = self.contacts[payment.counterpart_name or ""], to_cents(payment.amount)
                else:
                    contact, gross = rng.choice(self.customers), rng.randrange(15000, 495000)
                planned.append(Planned(year, number, day, contact, gross, payment))
        return planned

    def _partly_paid(self, planned: list[Planned], open_items: int) -> list[Planned]:
        """A few recent paid invoices (not the recognisable first five of a year) were paid only in part."""
        if open_items <= 0:
            return []
        recent = self.window.end - timedelta(days=120)
        candidates = [p for p in planned if p.payment is not None and p.number > 5 and p.day >= recent]
        chosen = self.rng.sample(candidates, min(len(candidates), max(1, open_items // 10)))
        for plan in chosen:
            plan.open_part = self.rng.randrange(plan.gross // 10, plan.gross * 6 // 10 + 1)
            plan.gross += plan.open_part
        return chosen

    def _open_invoices(self, planned: list[Planned], count: int) -> list[Planned]:
        """`count` unpaid invoices after the last invoice of each year, most of them this year."""
        window, rng = self.window, self.rng
        tails: list[tuple[int, date, date, float]] = []
        for year in range(window.start.year, window.end.year + 1):
            mine = [p for p in planned if p.year == year]
            first = max(window.start, date(year, 1, 1))
            start = max([first, *(p.day + timedelta(days=1) for p in mine)])
            end = min(window.end, date(year, 12, 31))
            age = window.end.year - year
            if start <= end:
                tails.append((year, start, end, 0.75 if age == 0 else 0.2 if age == 1 else 0.05))
        if not tails or count <= 0:
            return []
        weight = sum(tail[3] for tail in tails)
        shares = [int(count * tail[3] / weight) for tail in tails]
        shares[-1] += count - sum(shares)
        extra = []
        for (year, start, end, _), share in zip(tails, shares, strict=True):
            numbers = max((p.number for p in planned if p.year == year), default=0)
            span = (end - start).days + 1
            for k in range(share):
                day = start + timedelta(days=k * span // share)
                contact = rng.choice(self.customers)
                extra.append(Planned(year, numbers + k + 1, day, contact, rng.randrange(15000, 495000)))
        return extra

    def _book_sale(self, plan: Planned) -> None:
        invoice = Invoice(
            reference=plan.reference,
            day=plan.day,
            due=plan.day + timedelta(days=PAYMENT_TERM_DAYS),
            contact=plan.contact,
            description=self.subject(plan.day),
            amounts=self.amounts(plan.gross),
            created=self.created(plan.day, 9, self.rng.randrange(60)),
            payment_reference=structured_reference(plan.year * 1_000_000 + plan.number),
        )
        plan.item = self.books.sales_invoice(invoice)
        self.invoices[(plan.year, plan.number)] = plan

    # --- bank lines -----------------------------------------------------------------------------------
    def _kind(self, transaction: PontoTransaction) -> str:
        code, name = transaction.bank_transaction_code, transaction.counterpart_name or ""
        customer = name in self.contacts and self.contacts[name].is_customer
        if code == "PMNT-RCDT-ESCT":
            if customer:
                return "invoice" if invoice_number(transaction) else "receipt"
            return "refund"
        if code == "PMNT-ICDT-ESCT":
            return {"SALA": "salary", "TAXS": "vat"}.get(transaction.purpose_code or "", "supplier")
        return {
            "PMNT-CCRD-POSD": "card",
            "PMNT-ICDT-STDO": "rent",
            "PMNT-RDDT-ESDD": "direct_debit",
            "ACMT-MDOP-CHRG": "bank_fee",
            "PMNT-ICDT-BOOK": "own_transfer",
            "PMNT-RCDT-BOOK": "own_transfer",
            "ACMT-MCOP-INTR": "interest",
        }.get(code, "other")

    @staticmethod
    def _text(transaction: PontoTransaction) -> str:
        if transaction.bank_transaction_code == "PMNT-CCRD-POSD":
            return transaction.additional_information or transaction.description
        parts = (transaction.counterpart_name, transaction.remittance_information or transaction.description)
        return " ".join(part for part in parts if part)

    def _book_bank(self, index: int, account: PontoAccount, transaction: PontoTransaction, *, unmatched: bool) -> None:
        books = self.books
        bank = books.chart.banks[index]
        day = local_day(transaction.execution_date)
        cents = to_cents(transaction.amount)
        text = self._text(transaction)
        created = self.created(day + timedelta(days=1), 6, 30)
        statement = books.statement(bank, day, account.iban)
        contact = self.contacts.get(transaction.counterpart_name or "")
        kind = self._kind(transaction)
        if kind == "invoice":
            number = invoice_number(transaction)
            plan = self.invoices.get(number) if number else None
            if plan is not None and plan.item is not None:
                books.pay(plan.item, bank, day, cents, text, created, statement)
                return
        if kind == "supplier" and not unmatched and contact is not None:
            self._pay_purchase(bank, day, -cents, transaction, contact, text, created, statement)
            return
        counter = self._counter(kind, cents, text, contact, unmatched=unmatched)
        entries = books.bank(bank, day, cents, text, counter, created, statement, contact)
        if kind == "salary":
            journal = [Line(self.role("salaries"), -cents, text), Line(self.role("salaries_payable"), cents, text)]
            books.journal(day, journal, self.created(day, 8))
        if unmatched:
            books.unmatched("debtor" if cents > 0 else "creditor", entries[0], contact)

    def _counter(self, kind: str, cents: int, text: str, contact: Contact | None, *, unmatched: bool) -> list[Line]:
        if unmatched:
            return [Line(self.role("debtors" if cents > 0 else "creditors"), -cents, text, contact)]
        if kind == "receipt":  # revenue received without an invoice: VAT included
            net = net_of(cents, self.high.percentage)
            return [
                Line(self.role("revenue"), -net, text, contact, vat=self.high),
                Line(self.role("vat_payable"), net - cents, text, contact, vat=self.high),
            ]
        role = {
            "salary": "salaries_payable",
            "vat": "vat_payable",
            "rent": "rent",
            "bank_fee": "bank_costs",
            "own_transfer": "transfers",
            "interest": "interest",
            "refund": "office",
            "supplier": "creditors",
        }.get(kind)
        if kind == "card":
            role = (
                "travel"
                if any(w in text for w in TRAVEL)
                else "representation"
                if any(w in text for w in FOOD)
                else "office"
            )
        elif kind == "direct_debit":
            role = SUBSCRIPTION_ROLES.get(contact.name if contact else "", "office")
        return [Line(self.role(role or "suspense"), -cents, text, contact)]

    def _pay_purchase(
        self,
        bank: str,
        day: date,
        gross: int,
        transaction: PontoTransaction,
        supplier: Contact,
        text: str,
        created: datetime,
        statement: Document,
    ) -> None:
        structured = transaction.remittance_information_type == "structured"
        remittance = transaction.remittance_information or ""
        reference = (
            remittance.removeprefix("Invoice ")
            if not structured
            else f"{supplier.code}-{self.rng.randrange(10**6):06d}"
        )
        invoice_day = day - timedelta(days=self.rng.randrange(10, 31))
        item = self.books.purchase_invoice(
            self._purchase(supplier, invoice_day, gross, reference, remittance if structured else "")
        )
        self.books.pay(item, bank, day, gross, text, created, statement)

    def _purchase(self, supplier: Contact, day: date, gross: int, reference: str, payment_reference: str) -> Invoice:
        amount = Amount.from_gross(gross, self.high, self.role(SUPPLIER_ROLES.get(supplier.name, "office")))
        return Invoice(
            reference=reference,
            day=day,
            due=day + timedelta(days=PAYMENT_TERM_DAYS),
            contact=supplier,
            description=f"Factuur van {supplier.name}",
            amounts=[amount],
            created=self.created(day, 11, self.rng.randrange(60)),
            payment_reference=payment_reference,
        )

    def _open_purchases(self, count: int) -> None:
        end, rng = self.window.end, self.rng
        for k in range(count):
            back = rng.randrange(0, 45) if k % 5 else rng.randrange(46, 150)
            day = end - timedelta(days=back)
            supplier = rng.choice(self.suppliers)
            gross = rng.randrange(2500, 250000)
            structured = rng.random() < 0.5
            payment_reference = structured_reference(rng.randrange(10**8, 10**10)) if structured else ""
            reference = f"{supplier.code}-{day.year}-{rng.randrange(10**5):05d}"
            self.books.purchase_invoice(self._purchase(supplier, day, gross, reference, payment_reference))

    # --- cash and opening balances ------------------------------------------------------------------
    def _cash(self) -> None:
        """Petty cash: a monthly advance from the manager and a few receipts paid from it."""
        books, rng, window = self.books, self.rng, self.window
        cash, owner = self.role("cash"), self.role("owner")
        for year, month in window.months():
            top_up = window.on(year, month, 2)
            if top_up is not None:
                text = "Kasvoorschot zaakvoerder"
                books.journal(top_up, [Line(cash, 20000, text), Line(owner, -20000, text)], self.created(top_up, 10))
            for _ in range(rng.randrange(2, 4)):
                day = window.business_day(date(year, month, rng.randrange(1, 29)))
                if day is None:
                    continue
                merchant = rng.choice(catalog.MERCHANTS)
                role = "representation" if any(word in merchant for word in FOOD) else "office"
                cents = rng.randrange(500, 4500)
                text = f"Kasticket {merchant}"
                books.journal(
                    day, [Line(self.role(role), cents, text), Line(cash, -cents, text)], self.created(day, 17)
                )

    def _opening(self) -> None:
        """Opening balances at the start of the books: the banks as Ponto opens them, some cash, equity."""
        opening = self.books.ledger.opening
        for index, account in enumerate(self.accounts):
            opening[self.books.chart.banks[index]] = to_cents(account.opening_balance)
        opening[self.role("cash")] = 25000
        opening[self.role("capital")] = -sum(opening.values())
