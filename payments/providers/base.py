"""What the service needs from a payment provider, whatever its API looks like."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol

from invoices.models import Invoice


class ProviderError(Exception):
    """A call to the provider failed. `permanent` faults (a rejected key, a refused request) need
    a person; the others (timeout, 5xx, 429) are worth trying again later."""

    def __init__(self, message: str, *, permanent: bool = False, status: int | None = None) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.status = status

    @property
    def is_auth(self) -> bool:
        return self.status == 401


@dataclass(frozen=True)
class Checkout:
    provider_id: str
    checkout_url: str


@dataclass(frozen=True)
class Refund:
    refund_id: str
    amount: Decimal
    done: bool  # the money is on its way back to the payer (not merely queued)


@dataclass(frozen=True)
class Chargeback:
    chargeback_id: str
    amount: Decimal
    reversed: bool  # the merchant won the dispute: the money is theirs again


@dataclass(frozen=True)
class PaymentState:
    """A payment as the provider reports it, in our vocabulary (payments.models.OnlinePaymentStatus)."""

    provider_id: str
    status: str  # open, pending, paid, failed, canceled, expired
    provider_status: str
    amount: Decimal
    currency: str
    paid_at: datetime.datetime | None = None
    method: str = ""
    refunds: tuple[Refund, ...] = field(default_factory=tuple)
    chargebacks: tuple[Chargeback, ...] = field(default_factory=tuple)

    @property
    def charged_back(self) -> Decimal:
        """What the payer's bank holds back now: the chargebacks not reversed."""
        return sum((c.amount for c in self.chargebacks if not c.reversed), Decimal("0.00"))


@dataclass(frozen=True)
class SettlementInfo:
    provider_id: str
    reference: str
    amount: Decimal
    currency: str
    settled_at: datetime.datetime | None


class PaymentProvider(Protocol):
    def create_payment(self, invoice: Invoice, amount: Decimal, return_url: str, webhook_url: str) -> Checkout: ...

    def fetch(self, provider_id: str) -> PaymentState: ...

    def settlements(self) -> list[SettlementInfo]: ...

    def check_key(self) -> None:
        """Raise ProviderError when the key is not accepted."""
