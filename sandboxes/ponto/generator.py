"""Deterministic, fast generation of about two years of Benelux business banking.

Everything comes from one seeded `random.Random`, so a seed (and the sandbox's starting day)
always gives the same accounts, ids and amounts. Customer payments carry Belgian structured
references built exactly as the invoices app builds them: the n-th invoice of year Y is paid
with `structured_reference(Y * 1_000_000 + n)`. A sandbox given its customers' payments
(`CustomerPayment`, the demo organisation's clients paying its invoices) books those instead.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from random import Random
from typing import NamedTuple, TypeVar

from sandboxes.kit.references import structured_reference
from sandboxes.ponto import catalog
from sandboxes.ponto.banking import belgian_iban, booking_stamp, dutch_iban, luxembourg_iban
from sandboxes.ponto.records import CustomerPayment, Transaction

WINDOW_DAYS = 730
INVOICES_PER_YEAR = 40
# Amounts of the sandbox business's own first invoices of every year, in cents (its Yuki books
# show the same invoices): easy to recognise. They are not the app's demo invoices, which are
# paid through `CustomerPayment`s made from the demo plan (sandboxes/ponto/demo.py).
FIRST_INVOICE_AMOUNTS = (17715, 67410, 90145, 143821, 151250)
BELGIAN_BANK_CODES = (1, 63, 68, 103, 363, 645, 735, 751, 973)
SALARY_BASE_CENTS = (284137, 251890, 231275, 305460)

Stamp = Callable[[date], datetime]
T = TypeVar("T")
_UUID_CLEAR = ~((0xF000 << 64) | (0xC000 << 48)) & (1 << 128) - 1
_UUID_SET = (0x4000 << 64) | (0x8000 << 48)  # version 4, RFC 4122 variant


class Counterparty(NamedTuple):
    name: str
    iban: str


def cents(value: int) -> Decimal:
    return Decimal(value).scaleb(-2)


def stamper(*, local_midnight: bool) -> Stamp:
    @lru_cache(maxsize=2048)
    def stamp(day: date) -> datetime:
        return booking_stamp(day, local_midnight=local_midnight)

    return stamp


def _previous_business_day(day: date) -> date:
    weekday = day.weekday()
    return day - timedelta(days=weekday - 4) if weekday > 4 else day


class TransactionFactory:
    """Makes every kind of transaction the sandbox shows, from one random generator."""

    def __init__(self, rng: Random, holder_name: str) -> None:
        self.rng = rng
        self._random = rng.random  # one C call per draw: randrange and choice cost five times more
        self.holder_name = holder_name
        self.customers = [Counterparty(name, self.counterpart_iban(name)) for name in catalog.CUSTOMERS]
        self.suppliers = [Counterparty(name, self.counterpart_iban(name)) for name in catalog.SUPPLIERS]
        self.employees = [Counterparty(name, self.counterpart_iban(name)) for name in catalog.EMPLOYEES]
        self.landlord = Counterparty(catalog.LANDLORD, self.counterpart_iban(catalog.LANDLORD))
        self.tax_office = Counterparty(catalog.TAX_OFFICE, belgian_iban(679, 2005502))
        self.card_digits = f"{rng.randrange(10_000):04d}"
        self.mandates = {name: f"{rng.randrange(10**9):09d}" for name, *_ in catalog.SUBSCRIPTIONS}
        self.invoices_paid: dict[int, int] = {}
        self._accounts_of_customers: dict[str, str] = {}

    def pick(self, items: Sequence[T]) -> T:
        return items[int(self._random() * len(items))]

    def between(self, low: int, high: int) -> int:
        """An integer in [low, high)."""
        return low + int(self._random() * (high - low))

    # --- identifiers --------------------------------------------------------------------
    def new_id(self) -> str:
        """A random (version 4) UUID drawn from the seeded generator."""
        bits = self.rng.getrandbits(128) & _UUID_CLEAR | _UUID_SET
        text = f"{bits:032x}"
        return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"

    def end_to_end_id(self) -> str:
        return f"{self.rng.getrandbits(128):032x}"

    def counterpart_iban(self, name: str) -> str:
        rng = self.rng
        if name.endswith("B.V."):
            return dutch_iban(rng.choice(("ABNA", "INGB", "RABO", "KNAB")), rng.randrange(10**9, 10**10))
        if name.endswith(("S.à r.l.", "S.A.")):
            return luxembourg_iban(rng.choice((1, 2, 19, 30)), rng.randrange(10**12, 10**13))
        return belgian_iban(rng.choice(BELGIAN_BANK_CODES), rng.randrange(10**7))

    def random_structured(self) -> str:
        return structured_reference(self.rng.randrange(10**8, 10**10))

    # --- kinds of transaction ---------------------------------------------------------------
    def invoice_payment(self, account_id: str, day: date, stamp: Stamp, year: int, number: int) -> Transaction:
        payer = self.pick(self.customers)
        amount = (
            FIRST_INVOICE_AMOUNTS[number - 1] if number <= len(FIRST_INVOICE_AMOUNTS) else self.between(15000, 495000)
        )
        moment = stamp(day)
        return Transaction(
            account_id=account_id,
            amount=cents(amount),
            execution_date=moment,
            value_date=moment,
            description="Europese overschrijving",
            remittance_information_type="structured",
            remittance_information=structured_reference(year * 1_000_000 + number),
            counterpart_name=payer.name,
            counterpart_reference=payer.iban,
            bank_transaction_code="PMNT-RCDT-ESCT",
            proprietary_bank_transaction_code="01-50",
            end_to_end_id=self.end_to_end_id(),
        )

    def given_payment(self, account_id: str, stamp: Stamp, payment: CustomerPayment) -> Transaction:
        """A customer's transfer as given; a customer without a known account pays from one account."""
        iban = payment.counterpart_reference
        if iban is None:
            name = payment.counterpart_name
            if name not in self._accounts_of_customers:
                self._accounts_of_customers[name] = self.counterpart_iban(name)
            iban = self._accounts_of_customers[name]
        moment = stamp(payment.day)
        return Transaction(
            account_id=account_id,
            amount=payment.amount,
            execution_date=moment,
            value_date=moment,
            description="Europese overschrijving",
            remittance_information_type=payment.remittance_information_type,
            remittance_information=payment.remittance_information,
            counterpart_name=payment.counterpart_name,
            counterpart_reference=iban,
            bank_transaction_code="PMNT-RCDT-ESCT",
            proprietary_bank_transaction_code="01-50",
            end_to_end_id=self.end_to_end_id(),
        )

    def next_invoice_payment(self, account_id: str, day: date, stamp: Stamp) -> Transaction:
        number = self.invoices_paid.get(day.year, 0) + 1
        self.invoices_paid[day.year] = number
        return self.invoice_payment(account_id, day, stamp, day.year, number)

    def customer_transfer(self, account_id: str, day: date, stamp: Stamp) -> Transaction:
        payer = self.pick(self.customers)
        number = self.between(1, 9999)
        text = self.pick(("Factuur {y}-{n:04d}", "Facture n° {y}/{n:04d}", "Invoice {y}{n:04d}", "Betaling {n}"))
        moment = stamp(day)
        return Transaction(
            account_id=account_id,
            amount=cents(self.between(8000, 650000)),
            execution_date=moment,
            value_date=moment,
            description="Europese overschrijving",
            remittance_information_type="unstructured",
            remittance_information=text.format(y=day.year, n=number),
            counterpart_name=payer.name,
            counterpart_reference=payer.iban,
            bank_transaction_code="PMNT-RCDT-ESCT",
            proprietary_bank_transaction_code="01-50",
            end_to_end_id=self.end_to_end_id(),
        )

    def supplier_payment(self, account_id: str, day: date, stamp: Stamp) -> Transaction:
        supplier = self.pick(self.suppliers)
        structured = self._random() < 0.5
        moment = stamp(day)
        return Transaction(
            account_id=account_id,
            amount=cents(-self.between(2500, 250000)),
            execution_date=moment,
            value_date=moment,
            description="Europese overschrijving",
            remittance_information_type="structured" if structured else "unstructured",
            remittance_information=self.random_structured()
            if structured
            else f"Invoice INV-{self.between(0, 10**5):05d}",
            counterpart_name=supplier.name,
            counterpart_reference=supplier.iban,
            bank_transaction_code="PMNT-ICDT-ESCT",
            proprietary_bank_transaction_code="01-01",
            end_to_end_id=self.end_to_end_id(),
        )

    def card_payment(self, account_id: str, day: date, stamp: Stamp) -> Transaction:
        merchant = self.pick(catalog.MERCHANTS)
        spent = day - timedelta(days=self.pick((0, 0, 1, 2)))
        at = self.between(0, 60)
        return Transaction(
            account_id=account_id,
            amount=cents(-self.between(250, 18000)),
            execution_date=stamp(day),
            value_date=stamp(spent),
            description="Betaling met debetkaart",
            remittance_information_type="unstructured",
            remittance_information=None,
            counterpart_name=merchant,
            counterpart_reference=None,
            bank_transaction_code="PMNT-CCRD-POSD",
            proprietary_bank_transaction_code="04-02",
            additional_information=f"{merchant} {spent.day:02d}/{spent.month:02d} {self.between(7, 22):02d}:{at:02d}",
            card_reference=f"XXXX XXXX XXXX {self.card_digits}",
            card_reference_type="MASKEDPAN",
        )

    def refund(self, account_id: str, day: date, stamp: Stamp) -> Transaction:
        supplier = self.pick(self.suppliers)
        moment = stamp(day)
        return Transaction(
            account_id=account_id,
            amount=cents(self.between(500, 25000)),
            execution_date=moment,
            value_date=moment,
            description="Europese overschrijving",
            remittance_information_type="unstructured",
            remittance_information=f"Creditnota CN{self.between(0, 10**6):06d}",
            counterpart_name=supplier.name,
            counterpart_reference=supplier.iban,
            bank_transaction_code="PMNT-RCDT-ESCT",
            proprietary_bank_transaction_code="01-50",
            end_to_end_id=self.end_to_end_id(),
        )

    def salary(self, account_id: str, day: date, stamp: Stamp, index: int) -> Transaction:
        employee = self.employees[index]
        raise_factor = 100 + 2 * (day.year - 2020)  # a yearly indexation, the Belgian way
        moment = stamp(day)
        return Transaction(
            account_id=account_id,
            amount=cents(-(SALARY_BASE_CENTS[index] * raise_factor // 100)),
            execution_date=moment,
            value_date=moment,
            description="Europese overschrijving",
            remittance_information_type="unstructured",
            remittance_information=f"Loon {catalog.MONTHS_NL[day.month - 1]} {day.year}",
            counterpart_name=employee.name,
            counterpart_reference=employee.iban,
            bank_transaction_code="PMNT-ICDT-ESCT",
            proprietary_bank_transaction_code="01-01",
            purpose_code="SALA",
            end_to_end_id=self.end_to_end_id(),
        )

    def rent(self, account_id: str, day: date, stamp: Stamp) -> Transaction:
        moment = stamp(day)
        return Transaction(
            account_id=account_id,
            amount=cents(-185000),
            execution_date=moment,
            value_date=moment,
            description="Doorlopende opdracht",
            remittance_information_type="unstructured",
            remittance_information=f"Huur kantoor {day:%m/%Y}",
            counterpart_name=self.landlord.name,
            counterpart_reference=self.landlord.iban,
            bank_transaction_code="PMNT-ICDT-STDO",
            proprietary_bank_transaction_code="01-37",
            purpose_code="RENT",
            end_to_end_id=self.end_to_end_id(),
        )

    def direct_debit(self, account_id: str, day: date, stamp: Stamp, index: int) -> Transaction:
        creditor, amount, _, creditor_id = catalog.SUBSCRIPTIONS[index]
        moment = stamp(day)
        return Transaction(
            account_id=account_id,
            amount=cents(-(amount + self.pick((0, 0, 0, 150, -75)))),
            execution_date=moment,
            value_date=moment,
            description="Europese domiciliëring",
            remittance_information_type="unstructured",
            remittance_information=f"Factuur {day:%Y%m}{index:02d}{self.between(0, 10**4):04d}",
            counterpart_name=creditor,
            counterpart_reference=None,
            bank_transaction_code="PMNT-RDDT-ESDD",
            proprietary_bank_transaction_code="05-01",
            mandate_id=self.mandates[creditor],
            creditor_id=creditor_id,
            end_to_end_id=self.end_to_end_id(),
        )

    def bank_fee(self, account_id: str, day: date, stamp: Stamp) -> Transaction:
        moment = stamp(day)
        return Transaction(
            account_id=account_id,
            amount=cents(-750),
            execution_date=moment,
            value_date=moment,
            description=catalog.BANK_FEE_TEXT,
            remittance_information_type="unstructured",
            remittance_information=f"{catalog.BANK_FEE_TEXT} {day:%m/%Y}",
            counterpart_name=None,
            counterpart_reference=None,
            bank_transaction_code="ACMT-MDOP-CHRG",
            proprietary_bank_transaction_code="35-01",
        )

    def vat_payment(self, account_id: str, day: date, stamp: Stamp) -> Transaction:
        moment = stamp(day)
        return Transaction(
            account_id=account_id,
            amount=cents(-self.between(150000, 650000)),
            execution_date=moment,
            value_date=moment,
            description="Europese overschrijving",
            remittance_information_type="structured",
            remittance_information=self.random_structured(),
            counterpart_name=self.tax_office.name,
            counterpart_reference=self.tax_office.iban,
            bank_transaction_code="PMNT-ICDT-ESCT",
            proprietary_bank_transaction_code="01-01",
            purpose_code="TAXS",
            end_to_end_id=self.end_to_end_id(),
        )

    def own_transfer(
        self, account_id: str, day: date, stamp: Stamp, amount: int, other: Counterparty, *, incoming: bool
    ) -> Transaction:
        moment = stamp(day)
        return Transaction(
            account_id=account_id,
            amount=cents(amount if incoming else -amount),
            execution_date=moment,
            value_date=moment,
            description="Overschrijving eigen rekening",
            remittance_information_type="unstructured",
            remittance_information="Reserve" if incoming else "Naar spaarrekening",
            counterpart_name=other.name,
            counterpart_reference=other.iban,
            bank_transaction_code="PMNT-RCDT-BOOK" if incoming else "PMNT-ICDT-BOOK",
            proprietary_bank_transaction_code="01-02",
        )

    def interest(self, account_id: str, day: date, stamp: Stamp) -> Transaction:
        moment = stamp(day)
        return Transaction(
            account_id=account_id,
            amount=cents(self.between(1500, 9000)),
            execution_date=moment,
            value_date=moment,
            description="Intresten en getrouwheidspremie",
            remittance_information_type="unstructured",
            remittance_information=f"Intrest {day.year - 1}",
            counterpart_name=None,
            counterpart_reference=None,
            bank_transaction_code="ACMT-MCOP-INTR",
            proprietary_bank_transaction_code="35-81",
        )

    def everyday(self, account_id: str, day: date, stamp: Stamp, *, invoices: bool) -> Transaction:
        """One transaction of the day-to-day mix: cards, customer transfers, suppliers, refunds."""
        draw = self._random()
        if invoices and draw < 0.05:
            return self.next_invoice_payment(account_id, day, stamp)
        if draw < 0.42:
            return self.card_payment(account_id, day, stamp)
        if draw < 0.68:
            return self.customer_transfer(account_id, day, stamp)
        if draw < 0.92:
            return self.supplier_payment(account_id, day, stamp)
        return self.refund(account_id, day, stamp)
