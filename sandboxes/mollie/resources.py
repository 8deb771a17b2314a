"""A Mollie payment, its refunds and chargebacks, and how the API shows them (get-payment,
get-refund, get-chargeback)."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime
from decimal import Decimal

from sandboxes.mollie.money import amount

OPEN, PAID, FAILED, CANCELED, EXPIRED = "open", "paid", "failed", "canceled", "expired"
OUTCOMES = (PAID, FAILED, CANCELED, EXPIRED)
QUEUED, PENDING, REFUNDED, REFUND_CANCELED = "queued", "pending", "refunded", "canceled"
# The timestamp each final status sets.
STATUS_STAMPS = {PAID: "paidAt", FAILED: "failedAt", CANCELED: "canceledAt", EXPIRED: "expiredAt"}
DOCS = "https://docs.mollie.com/reference/v2"
CURRENCIES = frozenset({"EUR", "GBP", "USD", "CHF", "DKK", "NOK", "SEK", "PLN", "CZK"})
EUR_ONLY_METHODS = frozenset({"bancontact", "ideal", "kbc", "belfius", "eps", "giropay", "banktransfer"})
METHODS = EUR_ONLY_METHODS | {"creditcard", "paypal", "applepay", "directdebit"}


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def link(href: str, kind: str = "application/hal+json") -> dict[str, str]:
    return {"href": href, "type": kind}


@dataclass(slots=True)
class NewPayment:
    """A create-payment request, checked; a `Payment` is what it makes, with its state."""

    currency: str
    value: Decimal
    description: str
    redirect_url: str
    cancel_url: str | None
    webhook_url: str | None
    metadata: object
    method: str | None
    locale: str | None


@dataclass
class Refund:
    id: str
    payment_id: str
    currency: str
    value: Decimal
    description: str
    metadata: object
    status: str
    created_at: datetime
    settlement_id: str | None = None

    @property
    def counts(self) -> bool:
        """Whether it takes from what can still be refunded (every refund not canceled)."""
        return self.status != REFUND_CANCELED

    def resource(self, root: str) -> dict[str, object]:
        links = {
            "self": link(f"{root}/v2/payments/{self.payment_id}/refunds/{self.id}"),
            "payment": link(f"{root}/v2/payments/{self.payment_id}"),
            "documentation": link(f"{DOCS}/refunds-api/get-payment-refund", "text/html"),
        }
        if self.settlement_id:
            links["settlement"] = link(f"{root}/v2/settlements/{self.settlement_id}")
        return {
            "resource": "refund",
            "id": self.id,
            "mode": "test",
            "amount": amount(self.currency, self.value),
            "settlementAmount": amount(self.currency, -self.value),
            "status": self.status,
            "createdAt": iso(self.created_at),
            "description": self.description,
            "metadata": self.metadata,
            "paymentId": self.payment_id,
            "settlementId": self.settlement_id,
            "_links": links,
        }


@dataclass
class Chargeback:
    """The payer's bank took the money back (a card dispute, a reversed direct debit); a reversal
    (`reversedAt`) gives it back to the merchant."""

    id: str
    payment_id: str
    currency: str
    value: Decimal
    created_at: datetime
    reversed_at: datetime | None = None

    def resource(self, root: str) -> dict[str, object]:
        return {
            "resource": "chargeback",
            "id": self.id,
            "amount": amount(self.currency, self.value),
            "settlementAmount": amount(self.currency, -self.value),
            "reason": None,
            "paymentId": self.payment_id,
            "createdAt": iso(self.created_at),
            "reversedAt": iso(self.reversed_at) if self.reversed_at else None,
            "_links": {
                "self": link(f"{root}/v2/payments/{self.payment_id}/chargebacks/{self.id}"),
                "payment": link(f"{root}/v2/payments/{self.payment_id}"),
                "documentation": link(f"{DOCS}/chargebacks-api/get-payment-chargeback", "text/html"),
            },
        }


@dataclass
class Payment(NewPayment):
    id: str
    created_at: datetime
    expires_at: datetime
    status: str = OPEN
    stamps: dict[str, datetime] = field(default_factory=dict)
    details: dict[str, object] | None = None
    refunds: list[Refund] = field(default_factory=list)
    chargebacks: list[Chargeback] = field(default_factory=list)
    settlement_id: str | None = None

    @property
    def charged_back(self) -> Decimal:
        return sum((c.value for c in self.chargebacks if c.reversed_at is None), Decimal("0.00"))

    @property
    def refunded(self) -> Decimal:
        return sum((refund.value for refund in self.refunds if refund.counts), Decimal("0.00"))

    @property
    def remaining(self) -> Decimal:
        return self.value - self.refunded

    @classmethod
    def opened(cls, new: NewPayment, payment_id: str, created_at: datetime, expires_at: datetime) -> Payment:
        """The open payment a create request makes, payable until `expires_at`."""
        requested = {part.name: getattr(new, part.name) for part in fields(NewPayment)}
        return cls(**requested, id=payment_id, created_at=created_at, expires_at=expires_at)

    def cancelable(self, methods: frozenset[str]) -> bool:
        return self.status == OPEN and self.method in methods

    def resource(self, root: str, cancelable_methods: frozenset[str]) -> dict[str, object]:
        document: dict[str, object] = {
            "resource": "payment",
            "id": self.id,
            "mode": "test",
            "createdAt": iso(self.created_at),
            "amount": amount(self.currency, self.value),
            "description": self.description,
            "method": self.method,
            "metadata": self.metadata,
            "status": self.status,
            "isCancelable": self.cancelable(cancelable_methods),
            "profileId": "pfl_sandbox01",
            "sequenceType": "oneoff",
            "redirectUrl": self.redirect_url,
            "webhookUrl": self.webhook_url,
            "locale": self.locale,
        }
        if self.cancel_url is not None:
            document["cancelUrl"] = self.cancel_url
        if self.status == OPEN:
            document["expiresAt"] = iso(self.expires_at)
        document.update({name: iso(moment) for name, moment in self.stamps.items()})
        if self.status == PAID:
            document["amountRefunded"] = amount(self.currency, self.refunded)
            document["amountRemaining"] = amount(self.currency, self.remaining)
            document["settlementAmount"] = amount(self.currency, self.value)
            document["details"] = self.details
            if self.chargebacks:
                document["amountChargedBack"] = amount(self.currency, self.charged_back)
        if self.settlement_id:
            document["settlementId"] = self.settlement_id
        document["_links"] = self._links(root)
        return document

    def _links(self, root: str) -> dict[str, object]:
        links: dict[str, object] = {"self": link(f"{root}/v2/payments/{self.id}")}
        if self.status == OPEN:
            links["checkout"] = link(f"{root}/checkout/{self.id}", "text/html")
        if self.refunds:
            links["refunds"] = link(f"{root}/v2/payments/{self.id}/refunds")
        if self.chargebacks:
            links["chargebacks"] = link(f"{root}/v2/payments/{self.id}/chargebacks")
        if self.settlement_id:
            links["settlement"] = link(f"{root}/v2/settlements/{self.settlement_id}")
        links["documentation"] = link(f"{DOCS}/payments-api/get-payment", "text/html")
        return links
