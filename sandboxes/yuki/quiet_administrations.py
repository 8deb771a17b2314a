"""The quiet administrations: monthly sales invoices paid within weeks, a monthly cost invoice, bank fees.

Used for the real-estate administration next to the main one and for the other region's
domain; invoices still unpaid at the end of the books are their open items.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from random import Random

from sandboxes.kit.references import structured_reference
from sandboxes.ponto.seeding import Window
from sandboxes.yuki.books import PAYMENT_TERM_DAYS, Amount, Books, Invoice
from sandboxes.yuki.formats import at_local
from sandboxes.yuki.ledger import Line
from sandboxes.yuki.records import Contact, OpenItem


def rf_reference(reference: str) -> str:
    """An ISO 11649 creditor reference (RF18539007547034), as Dutch invoices carry."""
    digits = "".join(str(int(char, 36)) for char in f"{reference}RF00")
    return f"RF{98 - int(digits) % 97:02d}{reference}"


class SmallBusiness:
    """A quiet administration: monthly sales invoices paid within weeks, a monthly cost invoice, bank fees."""

    def __init__(self, books: Books, rng: Random, window: Window, now: datetime) -> None:
        self.books, self.rng, self.window, self.now = books, rng, window, now

    def created(self, day: date, hour: int) -> datetime:
        return min(
            at_local(day, hour) + timedelta(milliseconds=self.rng.randrange(60_000)), self.now - timedelta(minutes=1)
        )

    def build(
        self,
        *,
        customers: Sequence[Contact],
        supplier: Contact,
        revenue_role: str,
        vat_percentage: int,
        fixed: tuple[int, ...] | None,
        series: str,
    ) -> None:
        books, rng, window = self.books, self.rng, self.window
        chart = books.chart
        vat = chart.vat_rate(vat_percentage)
        bank, revenue = chart.banks[0], chart.code(revenue_role)
        numbers: dict[int, itertools.count[int]] = {}
        payment_reference = self._payment_reference(chart.country)
        for year, month in window.months():
            day = window.on(year, month, 1) or window.business_day(date(year, month, 15)) or window.end
            for index in range(len(fixed) if fixed else 3):
                customer = customers[index] if fixed else rng.choice(customers)
                net = fixed[index] if fixed else rng.randrange(150_000, 600_000)
                number = next(numbers.setdefault(year, itertools.count(1)))
                reference = series.format(year=year, number=number)
                item = books.sales_invoice(
                    Invoice(
                        reference=reference,
                        day=day,
                        due=day + timedelta(days=PAYMENT_TERM_DAYS),
                        contact=customer,
                        description=f"Factuur {reference}",
                        amounts=[Amount(net, vat, revenue)],
                        created=self.created(day, 9),
                        payment_reference=payment_reference(year, number),
                    )
                )
                late = fixed is not None and index == 0 and (window.end - day).days < 75  # a tenant behind on rent
                paid_on = day + timedelta(days=rng.randrange(3, 40))
                if paid_on <= window.end and not late:
                    self._pay(item, paid_on, bank)
            self._monthly_cost(supplier, year, month, bank)
        books.ledger.opening[bank] = 1_500_000
        books.ledger.opening[chart.code("capital")] = -1_500_000

    def _payment_reference(self, country: str) -> Callable[[int, int], str]:
        if country == "NL":
            return lambda year, number: rf_reference(f"{year}{number:04d}")
        return lambda year, number: structured_reference(year * 1_000_000 + 500_000 + number)

    def _pay(self, item: OpenItem, day: date, bank: str) -> None:
        text = f"{item.contact.name if item.contact else ''} {item.reference}".strip()
        statement = self.books.statement(bank, day, bank)
        self.books.pay(item, bank, day, item.open_cents, text, self.created(day + timedelta(days=1), 6), statement)

    def _monthly_cost(self, supplier: Contact, year: int, month: int, bank: str) -> None:
        books, window, rng = self.books, self.window, self.rng
        day = window.on(year, month, 5)
        if day is None:
            return
        high = books.chart.vat_rate(21)
        gross = rng.randrange(15_000, 45_000)
        item = books.purchase_invoice(
            Invoice(
                reference=f"{supplier.code}-{year}{month:02d}",
                day=day,
                due=day + timedelta(days=PAYMENT_TERM_DAYS),
                contact=supplier,
                description=f"Factuur van {supplier.name}",
                amounts=[Amount.from_gross(gross, high, books.role("cleaning"))],
                created=self.created(day, 11),
            )
        )
        paid_on = day + timedelta(days=10)
        if paid_on <= window.end:
            self._pay(item, paid_on, bank)
        fee_day = window.on(year, month, 28)
        if fee_day is not None:
            text = "Beheerskosten zichtrekening"
            books.bank(bank, fee_day, -600, text, [Line(books.role("bank_costs"), 600, text)], self.created(fee_day, 7))
