"""The Paystack sandbox's state: transactions, refunds, settlements, webhooks, faults, on a movable
clock. `PaystackSandbox` is what tests drive from Python and what `sandbox.wsgi_app` serves.
Webhooks are posted outside the lock: the receiver usually verifies the transaction meanwhile."""

from __future__ import annotations

import itertools
import string
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from random import Random

from sandboxes.kit.outbox import WebhookClock
from sandboxes.mollie.faults import FaultBook
from sandboxes.paystack import webhooks
from sandboxes.paystack.app import PaystackApp
from sandboxes.paystack.errors import PaystackError, invalid
from sandboxes.paystack.records import (
    ABANDONED,
    OUTCOMES,
    PENDING,
    PROCESSED,
    REFUND_FAILED,
    REVERSED,
    SUCCESS,
    Customer,
    NewTransaction,
    Refund,
    Settlement,
    Transaction,
)

DEFAULT_SECRET_KEY = "sk_test_sandboxpaystacksecretkey000000000"  # noqa: S105 - a well-known sandbox credential
# Supported currency table: the smallest amount each takes, in its subunit.
MINIMUMS = {"NGN": 5000, "USD": 200, "GHS": 10, "ZAR": 100, "KES": 300, "XOF": 100}
ID_ALPHABET = string.ascii_lowercase + string.digits


@dataclass(frozen=True, slots=True)
class FeeRule:
    """Paystack's local card fee in Nigeria: 1.5 % + NGN 100, the NGN 100 waived under NGN 2,500,
    capped at NGN 2,000 (subunits); the sandbox applies it to every currency."""

    percentage: Decimal = Decimal("1.5")
    flat: int = 10000
    flat_waived_below: int = 250000
    cap: int = 200000

    def fee(self, amount: int) -> int:
        flat = self.flat if amount >= self.flat_waived_below else 0
        fee = (Decimal(amount) * self.percentage / 100 + flat).quantize(Decimal(1), ROUND_HALF_UP)
        return min(int(fee), self.cap)


class PaystackSandbox(WebhookClock):
    """An offline Paystack integration in test mode, seen through its secret key."""

    def __init__(
        self,
        seed: int = 2026,
        now: Callable[[], datetime] | None = None,
        *,
        secret_key: str = DEFAULT_SECRET_KEY,
        currency: str = "NGN",
        currencies: Iterable[str] = ("NGN", "USD"),
        minimums: Mapping[str, int] = MINIMUMS,
        fees: FeeRule = FeeRule(),
        customer_bears_fees: bool = False,
        webhook_url: str | None = None,
        webhook_timeout: float = webhooks.TIMEOUT,
    ) -> None:
        super().__init__(now, webhooks.RETRY_SCHEDULE, webhook_timeout)
        self.secret_key = secret_key
        self.currency = currency  # the integration's currency, used when a request names none
        self.currencies = frozenset(currencies)  # what this merchant is enabled for
        self.minimums = dict(minimums)
        self.fees = fees
        # The dashboard's "who should pay the transaction charges": the customer adds them to the charge.
        self.customer_bears_fees = customer_bears_fees
        self.webhook_url = webhook_url
        self.faults = FaultBook()
        self._random = Random(seed)  # noqa: S311 - ids, not secrets
        self._ids = itertools.count(4099260516 + seed)
        self._transactions: dict[str, Transaction] = {}
        self._customers: dict[str, Customer] = {}
        self._settlements: dict[int, Settlement] = {}
        self.root = ""  # where the API is served, for checkout links; `serve()` sets it
        self.wsgi_app = PaystackApp(self)

    # --- webhooks ----------------------------------------------------------------------------------
    def redeliver(self, reference: str) -> bool:
        """Send the last event about a transaction again (a duplicate); False when there was none."""
        return self.outbox.redeliver(reference)

    def _publish(self, reference: str, name: str, data: dict[str, object]) -> None:
        if self.webhook_url:
            self.outbox.send(webhooks.event(reference, self.webhook_url, name, data, self.secret_key))

    # --- ids -----------------------------------------------------------------------------------------
    def _code(self, length: int) -> str:
        return "".join(self._random.choice(ID_ALPHABET) for _ in range(length))

    def _customer(self, email: str) -> Customer:
        customer = self._customers.get(email.lower())
        if customer is None:
            customer = Customer(next(self._ids), f"CUS_{self._code(15)}", email)
            self._customers[email.lower()] = customer
        return customer

    # --- transactions --------------------------------------------------------------------------------
    def initialize(self, new: NewTransaction) -> Transaction:
        if new.currency not in self.currencies:
            raise invalid("Currency not supported by merchant", "unsupported_currency")
        if new.amount < self.minimums.get(new.currency, 1):
            raise invalid(f"Amount is less than the minimum of {self.minimums[new.currency]} for {new.currency}")
        with self.lock:
            if new.reference is not None and new.reference in self._transactions:
                raise invalid("Duplicate Transaction Reference", "duplicate_reference")
            transaction = Transaction(
                id=next(self._ids),
                reference=new.reference or self._code(10),
                access_code=self._code(15),
                amount=new.amount,
                currency=new.currency,
                customer=self._customer(new.email),
                metadata=new.metadata,
                channels=new.channels,
                callback_url=new.callback_url,
                created_at=self.now(),
            )
            self._transactions[transaction.reference] = transaction
            return transaction

    def transaction(self, reference: str) -> Transaction:
        with self.lock:
            found = self._transactions.get(reference)
        if found is None:
            raise PaystackError(400, "Transaction reference not found.")
        return found

    def transaction_by_id(self, transaction_id: int) -> Transaction:
        with self.lock:
            found = next((t for t in self._transactions.values() if t.id == transaction_id), None)
        if found is None:
            raise PaystackError(404, "Transaction not found")
        return found

    def transaction_by_code(self, access_code: str) -> Transaction:
        with self.lock:
            found = next((t for t in self._transactions.values() if t.access_code == access_code), None)
        if found is None:
            raise PaystackError(404, "Transaction not found")
        return found

    def complete(self, reference: str, status: str = SUCCESS, channel: str = "card") -> Transaction:
        """The customer finishes the checkout. `success` sends `charge.success`; a failed or
        abandoned payment sends no event (Paystack has none for it). ValueError when it is not
        awaiting payment."""
        if status not in OUTCOMES:
            raise ValueError(f"status must be one of {', '.join(OUTCOMES)}")
        with self.lock:
            transaction = self.transaction(reference)
            if transaction.status != ABANDONED:
                raise ValueError(f"transaction {reference} is {transaction.status}, not awaiting payment")
            transaction.status, transaction.channel = status, channel
            if status == SUCCESS:
                transaction.paid_at = self.now()
                transaction.fees = self.fees.fee(transaction.amount)
                if self.customer_bears_fees:
                    transaction.passed_on_fees = transaction.fees
                    transaction.amount += transaction.fees
            data = transaction.resource()
        if status == SUCCESS:
            self._publish(reference, "charge.success", data)
        return transaction

    # --- refunds -------------------------------------------------------------------------------------
    def refund(self, transaction: Transaction, amount: int | None, customer_note: str, merchant_note: str) -> Refund:
        """`POST /refund`: pending, announced by `refund.pending`."""
        with self.lock:
            if transaction.status != SUCCESS:
                raise invalid("Transaction has not been completed and cannot be refunded")
            amount = transaction.refundable if amount is None else amount
            if amount <= 0 or amount > transaction.refundable:
                raise invalid("Refund amount cannot be more than the transaction amount")
            refund = Refund(
                next(self._ids),
                transaction.id,
                amount,
                transaction.currency,
                customer_note or f"Refund for transaction {transaction.reference}",
                merchant_note or f"Refund for transaction {transaction.reference}",
                self.now(),
            )
            transaction.refunds.append(refund)
            data = self._refund_event(transaction, refund)
        self._publish(transaction.reference, "refund.pending", data)
        return refund

    def refunds(self) -> list[Refund]:
        """Newest first."""
        with self.lock:
            every = [refund for transaction in self._transactions.values() for refund in transaction.refunds]
        return sorted(every, key=lambda refund: refund.id, reverse=True)

    def process_refunds(self, status: str = PROCESSED) -> list[Refund]:
        """Pending refunds become `processed` (or `failed`), each announced by its event; a fully
        refunded transaction reads `reversed`."""
        if status not in (PROCESSED, REFUND_FAILED):
            raise ValueError("status must be processed or failed")
        events = []
        with self.lock:
            for transaction in self._transactions.values():
                for refund in transaction.refunds:
                    if refund.status == PENDING:
                        refund.status, refund.refunded_at = status, self.now()
                        events.append((transaction.reference, refund, self._refund_event(transaction, refund)))
                settled = all(refund.status in (PROCESSED, REFUND_FAILED) for refund in transaction.refunds)
                if transaction.status == SUCCESS and transaction.refundable == 0 and settled:
                    transaction.status = REVERSED
        for reference, refund, data in events:
            self._publish(reference, f"refund.{refund.status}", data)
        return [refund for _, refund, _ in events]

    def _refund_event(self, transaction: Transaction, refund: Refund) -> dict[str, object]:
        return {
            "status": refund.status,
            "transaction_reference": transaction.reference,
            "refund_reference": str(refund.id),
            "amount": refund.amount,
            "currency": refund.currency,
            "processor": "sandbox",
            "customer": {"first_name": None, "last_name": None, "email": transaction.customer.email},
            "integration": 100982,
            "domain": "test",
            "id": str(refund.id),
        }

    # --- settlements ---------------------------------------------------------------------------------
    def settle(self, currency: str | None = None) -> dict[str, object]:
        """Pay out every successful, unsettled transaction in `currency` (the integration's by
        default) less fees and processed refunds: the settlement as the API shows it, plus
        `settlement_bank_description`. ValueError when there is nothing to settle."""
        currency = currency or self.currency
        with self.lock:
            transactions = [
                t
                for t in self._transactions.values()
                if t.status in (SUCCESS, REVERSED) and t.settlement_id is None and t.currency == currency
            ]
            refunds = [
                r
                for t in self._transactions.values()
                for r in t.refunds
                if r.status == PROCESSED and r.settlement_id is None and r.currency == currency
            ]
            if not transactions and not refunds:
                raise ValueError("nothing to settle")
            settlement = Settlement(next(self._ids), currency, self.now(), transactions, refunds)
            for transaction in transactions:
                transaction.settlement_id = settlement.id
            for refund in refunds:
                refund.settlement_id = settlement.id
            self._settlements[settlement.id] = settlement
        return {**settlement.resource(), "settlement_bank_description": settlement.bank_description}

    def settlement(self, settlement_id: int) -> Settlement:
        with self.lock:
            found = self._settlements.get(settlement_id)
        if found is None:
            raise PaystackError(404, "Settlement not found")
        return found

    def settlements(self) -> list[Settlement]:
        with self.lock:
            return list(reversed(self._settlements.values()))
