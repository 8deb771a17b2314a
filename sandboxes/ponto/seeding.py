"""The sandbox organisation's starting data: institutions, accounts, two years of bookings, pending ones.

The first account is the busy business current account (`transactions_per_account` bookings,
dates at midnight Brussels time written in UTC, as some banks do; customers' payments given to
the seeder are among them, in place of the invoice payments it would invent); the second is a savings
account fed monthly from the first; any further account is a quieter current account (a
quarter as many bookings, dates at midnight UTC).
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from random import Random

from sandboxes.ponto import catalog
from sandboxes.ponto.banking import belgian_iban
from sandboxes.ponto.generator import (
    INVOICES_PER_YEAR,
    WINDOW_DAYS,
    Counterparty,
    Stamp,
    TransactionFactory,
    cents,
    stamper,
)
from sandboxes.ponto.records import Account, CustomerPayment, FinancialInstitution, Organization, Transaction

CONSENT_DAYS = 90


@dataclasses.dataclass(slots=True)
class Window:
    start: date
    end: date

    def business_day(self, day: date) -> date | None:
        """The day itself, or the next working day (the previous one at the window's end); None outside."""
        if not self.start <= day <= self.end:
            return None
        if day.weekday() > 4:
            monday = day + timedelta(days=7 - day.weekday())
            day = monday if monday <= self.end else day - timedelta(days=day.weekday() - 4)
        return day if self.start <= day <= self.end else None

    def on(self, year: int, month: int, day: int) -> date | None:
        return self.business_day(date(year, month, day))

    def months(self) -> Iterator[tuple[int, int]]:
        year, month = self.start.year, self.start.month
        while (year, month) <= (self.end.year, self.end.month):
            yield year, month
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)


class Seeder:
    """Builds the organisation and its accounts; ids and creation order come from `rng` and `seq`."""

    def __init__(
        self, rng: Random, seq: Iterator[int], now: datetime, customer_payments: Sequence[CustomerPayment] = ()
    ) -> None:
        self.rng = rng
        self.customer_payments = customer_payments
        self.seq = seq
        self.now = now
        today = now.astimezone(UTC).date()
        self.window = Window(today - timedelta(days=WINDOW_DAYS), today - timedelta(days=1))
        self.factory = TransactionFactory(rng, catalog.ORGANIZATION_NAME)
        self.organization = Organization(self.factory.new_id(), catalog.ORGANIZATION_NAME)
        self.institutions = [
            FinancialInstitution(self.factory.new_id(), "Sandbox Bank", "SNDBBEBB"),
            FinancialInstitution(self.factory.new_id(), "Fake Bank", "FAKEBEB1"),
        ]
        self.business_days = [day for day in self._days() if day.weekday() < 5]  # transfers are booked on working days
        self.all_days = list(self._days())

    def _days(self) -> Iterator[date]:
        day = self.window.start
        while day <= self.window.end:
            yield day
            day += timedelta(days=1)

    # --- accounts -----------------------------------------------------------------------------
    def accounts(self, count: int, main_transactions: int) -> list[Account]:
        kinds = ["main", "savings", *["secondary"] * max(0, count - 2)][:count]
        accounts = [self._account(kind, index) for index, kind in enumerate(kinds)]
        main = accounts[0]
        savings = accounts[1] if count > 1 else None
        transfers = self._savings_transfers() if savings else []
        for account, kind in zip(accounts, kinds, strict=True):
            if kind == "main":
                other = Counterparty(savings.holder_name, savings.iban) if savings else None
                drafts = self._main(account, main_transactions, transfers, other)
            elif kind == "savings":
                drafts = self._savings(account, transfers, Counterparty(main.holder_name, main.iban))
            else:
                drafts = self._secondary(account, main_transactions // 4)
            self._book(account, drafts)
            self._settle_opening_balance(account)
        for account in accounts:
            account.pending.extend(
                self._pending(account, 3 if account is main else 1 if account.subtype == "checking" else 0)
            )
        return accounts

    def _account(self, kind: str, index: int) -> Account:
        rng = self.rng
        savings = kind == "savings"
        institution = self.institutions[0 if index < 2 else 1]
        consent = self.now
        return Account(
            id=self.factory.new_id(),
            seq=next(self.seq),
            subtype="savings" if savings else "checking",
            iban=belgian_iban(rng.choice((1, 63, 735)), rng.randrange(10**7)),
            product="Business savings account" if savings else "Business current account",
            description="Spaarrekening" if savings else ("Zichtrekening" if kind == "main" else "Zichtrekening 2"),
            holder_name=self.organization.name,
            financial_institution_id=institution.id,
            internal_reference=self.factory.new_id(),
            opening_balance=Decimal("0.00"),
            authorized_at=consent,
            authorization_expires_at=consent + timedelta(days=CONSENT_DAYS),
            local_midnight_dates=kind == "main",
        )

    # --- bookings per account -----------------------------------------------------------------
    def _savings_transfers(self) -> list[tuple[date, int]]:
        transfers = []
        for year, month in self.window.months():
            day = self.window.on(year, month, 27)
            if day is not None:
                transfers.append((day, self.rng.randrange(5, 21) * 10000))
        return transfers

    def _main(
        self, account: Account, count: int, transfers: list[tuple[date, int]], savings: Counterparty | None
    ) -> list[Transaction]:
        factory, window, stamp, aid = self.factory, self.window, self._stamp(account), account.id
        drafts: list[Transaction] = []
        for year, month in window.months():
            rent_day, fee_day, salary_day = (window.on(year, month, day) for day in (1, 28, 25))
            if rent_day is not None:
                drafts.append(factory.rent(aid, rent_day, stamp))
            if fee_day is not None:
                drafts.append(factory.bank_fee(aid, fee_day, stamp))
            if salary_day is not None:
                drafts.extend(factory.salary(aid, salary_day, stamp, i) for i in range(len(factory.employees)))
            for index, (*_, day_of_month, _creditor) in enumerate(catalog.SUBSCRIPTIONS):
                day = window.on(year, month, day_of_month)
                if day is not None:
                    drafts.append(factory.direct_debit(aid, day, stamp, index))
            vat_day = window.on(year, month, 20) if month in (1, 4, 7, 10) else None
            if vat_day is not None:
                drafts.append(factory.vat_payment(aid, vat_day, stamp))
        if savings is not None:
            drafts.extend(
                factory.own_transfer(aid, day, stamp, amount, savings, incoming=False) for day, amount in transfers
            )
        given = self._given_payments(aid, stamp)
        if not self.customer_payments:
            drafts.extend(self._invoice_payments(aid, stamp))
        drafts = self._fill(account, drafts, max(0, count - len(given)))
        cards = [draft for draft in drafts if draft.bank_transaction_code == "PMNT-CCRD-POSD"]
        if len(drafts) >= 50 and len(cards) >= 2:
            # The same coffee twice on one day: identical content, digest included, two ids.
            drafts[-2:] = [dataclasses.replace(card) for card in self.rng.sample(cards, 2)]
        return drafts + given

    def _given_payments(self, account_id: str, stamp: Stamp) -> list[Transaction]:
        """The customers' payments given to the seeder, each on its day (the window's last day at
        the latest: the sandbox's day may begin an hour after Brussels'), never sampled away."""
        window = self.window
        return [
            self.factory.given_payment(
                account_id, stamp, dataclasses.replace(payment, day=min(payment.day, window.end))
            )
            for payment in self.customer_payments
            if payment.day >= window.start
        ]

    def _invoice_payments(self, account_id: str, stamp: Stamp) -> list[Transaction]:
        payments: list[Transaction] = []
        for year in range(self.window.start.year, self.window.end.year + 1):
            first = max(self.window.start, date(year, 1, 1))
            last = min(self.window.end, date(year, 12, 31))
            covered = (last - first).days + 1
            invoices = max(1, round(INVOICES_PER_YEAR * covered / 365))
            paid = 0
            for number in range(1, invoices + 1):
                day = self.window.business_day(first + timedelta(days=int((number - 0.5) * covered / invoices)))
                if day is not None:
                    payments.append(self.factory.invoice_payment(account_id, day, stamp, year, number))
                    paid = number
            self.factory.invoices_paid[year] = paid
        return payments

    def _savings(self, account: Account, transfers: list[tuple[date, int]], main: Counterparty) -> list[Transaction]:
        stamp, aid = self._stamp(account), account.id
        drafts = [self.factory.own_transfer(aid, day, stamp, amount, main, incoming=True) for day, amount in transfers]
        for year in range(self.window.start.year + 1, self.window.end.year + 1):
            day = self.window.on(year, 1, 2)
            if day is not None:
                drafts.append(self.factory.interest(aid, day, stamp))
        return drafts

    def _secondary(self, account: Account, count: int) -> list[Transaction]:
        stamp = self._stamp(account)
        fees = [
            self.factory.bank_fee(account.id, day, stamp)
            for year, month in self.window.months()
            if (day := self.window.on(year, month, 28)) is not None
        ]
        return self._fill(account, fees, count)

    def _fill(self, account: Account, drafts: list[Transaction], count: int) -> list[Transaction]:
        """Exactly `count` bookings: a sample of the scheduled ones, or all of them plus day-to-day ones."""
        if len(drafts) >= count:
            return self.rng.sample(drafts, count)
        factory, stamp, aid = self.factory, self._stamp(account), account.id
        business_days, all_days, pick = self.business_days, self.all_days, factory.pick
        for _ in range(count - len(drafts)):
            drafts.append(factory.everyday(aid, pick(business_days), stamp, invoices=False))
        # Card payments are booked on any day, weekends included.
        for draft in drafts:
            if draft.bank_transaction_code == "PMNT-CCRD-POSD" and factory.between(0, 5) == 0:
                draft.execution_date = draft.value_date = stamp(pick(all_days))
        return drafts

    def _book(self, account: Account, drafts: list[Transaction]) -> None:
        """Creation order follows booking days; within a day the order is random, as fetched."""
        draw = self.rng.random
        drafts.sort(key=lambda draft: (draft.execution_date, draw()))
        new_id, seq, positions = self.factory.new_id, self.seq, account.positions
        fetched_after, step = timedelta(hours=6), timedelta(seconds=7)
        previous: datetime | None = None
        created = self.now
        for index, draft in enumerate(drafts, start=len(account.transactions)):
            if draft.execution_date == previous:
                created += step
            else:
                previous = draft.execution_date
                created = previous + fetched_after
            draft.id = new_id()
            draft.seq = next(seq)
            draft.created_at = draft.updated_at = created
            positions[draft.id] = index
        account.transactions.extend(drafts)
        account.booked_total += sum((draft.amount for draft in drafts), Decimal("0.00"))
        if drafts:
            account.balance_changed_at = max(account.balance_changed_at, drafts[-1].created_at)

    def _settle_opening_balance(self, account: Account) -> None:
        opening = cents(self.rng.randrange(800_000, 2_500_000))
        if opening + account.booked_total < 2500:
            opening = cents(250_000 + self.rng.randrange(100_000)) - account.booked_total
        account.opening_balance = opening

    def _pending(self, account: Account, count: int) -> list[Transaction]:
        stamp, factory = self._stamp(account), self.factory
        today = self.window.end + timedelta(days=1)
        pending = []
        for index in range(count):
            make = factory.customer_transfer if index == 1 else factory.card_payment
            draft = make(account.id, today, stamp)
            draft.id = factory.new_id()
            draft.seq = next(self.seq)
            draft.pending = True
            draft.created_at = draft.updated_at = self.now - timedelta(hours=count - index)
            # Most pending bookings settle within a day or two, under another id; one stays pending.
            draft.books_at = self.now + timedelta(days=index + 1) if index < 2 else None
            pending.append(draft)
        return pending

    def _stamp(self, account: Account) -> Stamp:
        return stamper(local_midnight=account.local_midnight_dates)


def sequence() -> Iterator[int]:
    return itertools.count(1)
