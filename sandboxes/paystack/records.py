"""Paystack's transactions, refunds and settlements, and how the API shows them
(paystack.com/docs/api/transaction, /refund, /settlement). Amounts are integers in the currency's
subunit (kobo, pesewas, cents)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

ABANDONED, SUCCESS, FAILED, REVERSED = "abandoned", "success", "failed", "reversed"
OUTCOMES = (SUCCESS, FAILED, ABANDONED)
PENDING, PROCESSED, REFUND_FAILED = "pending", "processed", "failed"
CHANNELS = (
    "card",
    "bank",
    "apple_pay",
    "ussd",
    "qr",
    "mobile_money",
    "bank_transfer",
    "eft",
    "capitec_pay",
    "payattitude",
)
GATEWAY_RESPONSES = {SUCCESS: "Successful", FAILED: "Declined", ABANDONED: "The transaction was not completed"}


def stamp(moment: datetime | None) -> str | None:
    """Paystack's timestamps: `2024-08-22T09:15:02.000Z`."""
    return None if moment is None else moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


@dataclass(frozen=True, slots=True)
class NewTransaction:
    """A checked initialize request."""

    email: str
    amount: int
    currency: str
    reference: str | None
    callback_url: str | None
    metadata: object
    channels: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Customer:
    id: int
    code: str
    email: str

    def resource(self) -> dict[str, object]:
        return {
            "id": self.id,
            "first_name": None,
            "last_name": None,
            "email": self.email,
            "customer_code": self.code,
            "phone": None,
            "metadata": None,
            "risk_action": "default",
            "international_format_phone": None,
        }


@dataclass
class Refund:
    id: int
    transaction_id: int
    amount: int
    currency: str
    customer_note: str
    merchant_note: str
    created_at: datetime
    status: str = PENDING
    refunded_at: datetime | None = None
    settlement_id: int | None = None

    def resource(self) -> dict[str, object]:
        return {
            "id": self.id,
            "integration": 100982,
            "domain": "test",
            "transaction": self.transaction_id,
            "dispute": None,
            "settlement": self.settlement_id,
            "amount": self.amount,
            "deducted_amount": self.amount,
            "fully_deducted": True,
            "currency": self.currency,
            "channel": None,
            "status": self.status,
            "refunded_by": "sandbox@example.com",
            "refunded_at": stamp(self.refunded_at),
            "expected_at": stamp(self.created_at),
            "customer_note": self.customer_note,
            "merchant_note": self.merchant_note,
            "createdAt": stamp(self.created_at),
            "updatedAt": stamp(self.refunded_at or self.created_at),
        }


@dataclass
class Transaction:
    id: int
    reference: str
    access_code: str
    amount: int
    currency: str
    customer: Customer
    metadata: object
    channels: tuple[str, ...]
    callback_url: str | None
    created_at: datetime
    status: str = ABANDONED
    channel: str | None = None
    paid_at: datetime | None = None
    fees: int | None = None
    # The fees added to what the payer was charged, when the merchant passes them on: `amount`
    # is then the total charged, `requested_amount` what the merchant asked for.
    passed_on_fees: int = 0
    refunds: list[Refund] = field(default_factory=list)
    settlement_id: int | None = None

    @property
    def requested_amount(self) -> int:
        return self.amount - self.passed_on_fees

    @property
    def refundable(self) -> int:
        return self.amount - sum(refund.amount for refund in self.refunds if refund.status != REFUND_FAILED)

    def resource(self) -> dict[str, object]:
        return {
            "id": self.id,
            "domain": "test",
            "status": self.status,
            "reference": self.reference,
            "receipt_number": None,
            "amount": self.amount,
            "message": None,
            "gateway_response": GATEWAY_RESPONSES.get(self.status, "Successful"),
            "paid_at": stamp(self.paid_at),
            "created_at": stamp(self.created_at),
            "channel": self.channel or "card",
            "currency": self.currency,
            "ip_address": "127.0.0.1",
            "metadata": self.metadata,
            "log": None,
            "fees": self.fees,
            "fees_split": None,
            "authorization": self._authorization(),
            "customer": self.customer.resource(),
            "plan": None,
            "split": {},
            "order_id": None,
            "paidAt": stamp(self.paid_at),
            "createdAt": stamp(self.created_at),
            "requested_amount": self.requested_amount,
            "pos_transaction_data": None,
            "source": None,
            "fees_breakdown": None,
            "connect": None,
            "transaction_date": stamp(self.created_at),
            "plan_object": {},
            "subaccount": {},
        }

    def _authorization(self) -> dict[str, object]:
        if self.status not in (SUCCESS, REVERSED):
            return {}
        card = (self.channel or "card") == "card"
        return {
            "authorization_code": f"AUTH_{self.access_code[:10]}",
            "bin": "408408" if card else None,
            "last4": "4081" if card else None,
            "exp_month": "12" if card else None,
            "exp_year": "2030" if card else None,
            "channel": self.channel or "card",
            "card_type": "visa " if card else "",
            "bank": "TEST BANK",
            "country_code": "NG",
            "brand": "visa" if card else "",
            "reusable": card,
            "signature": f"SIG_{self.access_code[:12]}" if card else None,
            "account_name": None,
        }


@dataclass
class Settlement:
    id: int
    currency: str
    created_at: datetime
    transactions: list[Transaction]
    refunds: list[Refund]

    @property
    def total_processed(self) -> int:
        return sum(transaction.amount for transaction in self.transactions)

    @property
    def total_fees(self) -> int:
        return sum(transaction.fees or 0 for transaction in self.transactions)

    @property
    def deductions(self) -> int:
        return sum(refund.amount for refund in self.refunds)

    @property
    def total_amount(self) -> int:
        return self.total_processed - self.total_fees - self.deductions

    @property
    def bank_description(self) -> str:
        return f"PAYSTACK SETTLEMENT {self.id}"

    def resource(self) -> dict[str, object]:
        return {
            "id": self.id,
            "domain": "test",
            "status": "success",
            "currency": self.currency,
            "integration": 100982,
            "total_amount": self.total_amount,
            "effective_amount": self.total_amount,
            "total_fees": self.total_fees,
            "total_processed": self.total_processed,
            "deductions": self.deductions or None,
            "settlement_date": stamp(self.created_at.replace(hour=0, minute=0, second=0, microsecond=0)),
            "settled_by": None,
            "createdAt": stamp(self.created_at),
            "updatedAt": stamp(self.created_at),
        }
