"""The sandbox's records: organisation, financial institutions, accounts, transactions, syncs."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

SYNC_SUBTYPES = ("accountDetails", "accountTransactions", "accountTransactionsWithUnsettled")


@dataclass(slots=True)
class Organization:
    id: str
    name: str


@dataclass(slots=True)
class FinancialInstitution:
    id: str
    name: str
    bic: str
    country: str = "BE"


@dataclass(slots=True)
class Transaction:
    """A booked or pending transaction; `seq` is its place in Ponto's creation order."""

    account_id: str
    amount: Decimal
    execution_date: datetime
    value_date: datetime
    description: str
    remittance_information_type: str
    remittance_information: str | None
    counterpart_name: str | None
    counterpart_reference: str | None
    bank_transaction_code: str
    proprietary_bank_transaction_code: str | None = None
    purpose_code: str | None = None
    mandate_id: str | None = None
    creditor_id: str | None = None
    end_to_end_id: str | None = None
    additional_information: str | None = None
    card_reference: str | None = None
    card_reference_type: str | None = None
    fee: Decimal | None = None
    currency: str = "EUR"
    id: str = ""
    seq: int = 0
    created_at: datetime = EPOCH
    updated_at: datetime = EPOCH
    pending: bool = False
    books_at: datetime | None = None  # a pending transaction becomes booked (with a new id) then


@dataclass(frozen=True, slots=True)
class CustomerPayment:
    """A customer's transfer the sandbox books on the main account exactly as given: how the demo
    organisation's clients pay the invoices it has (see sandboxes/ponto/demo.py)."""

    day: date
    amount: Decimal
    counterpart_name: str
    counterpart_reference: str | None  # None: the customer's account is made up
    remittance_information: str
    remittance_information_type: str  # "structured" or "unstructured"


@dataclass(slots=True)
class Account:
    id: str
    seq: int
    subtype: str
    iban: str
    product: str
    description: str
    holder_name: str
    financial_institution_id: str
    internal_reference: str
    opening_balance: Decimal
    authorized_at: datetime
    authorization_expires_at: datetime
    local_midnight_dates: bool
    currency: str = "EUR"
    booked_total: Decimal = Decimal("0.00")
    balance_changed_at: datetime = EPOCH
    transactions: list[Transaction] = field(default_factory=list)  # creation order, oldest first
    positions: dict[str, int] = field(default_factory=dict)
    pending: list[Transaction] = field(default_factory=list)
    updated_booked: dict[str, None] = field(default_factory=dict)  # ordered set since the last sync
    updated_pending: dict[str, None] = field(default_factory=dict)

    @property
    def current_balance(self) -> Decimal:
        return self.opening_balance + self.booked_total

    def append(self, transaction: Transaction) -> None:
        self.positions[transaction.id] = len(self.transactions)
        self.transactions.append(transaction)
        self.booked_total += transaction.amount
        self.balance_changed_at = max(self.balance_changed_at, transaction.created_at)


@dataclass(slots=True)
class Synchronization:
    id: str
    seq: int
    account_id: str
    subtype: str
    created_at: datetime
    running_at: datetime
    done_at: datetime
    customer_ip_address: str | None = None
    automatic: bool = False  # Ponto's own background sync: no cooldown, no client request
    final_status: str | None = None
    errors: list[dict[str, object]] = field(default_factory=list)
    updated_ids: list[str] = field(default_factory=list)
    updated_pending_ids: list[str] = field(default_factory=list)

    def status(self, now: datetime) -> str:
        if self.final_status is not None:
            return self.final_status
        return "running" if now >= self.running_at else "pending"

    def updated_at(self, now: datetime) -> datetime:
        if self.final_status is not None:
            return self.done_at
        return self.running_at if now >= self.running_at else self.created_at
