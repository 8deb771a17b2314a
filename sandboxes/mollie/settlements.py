"""Settlements: paid payments and processed refunds, less Mollie's fees, paid out to the merchant's
bank account with a bank reference (get-settlement: "Settlements will be transferred to your
bank account with a `reference`, for example `1182161.1506.02`")."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from sandboxes.mollie.money import amount
from sandboxes.mollie.resources import DOCS, Payment, Refund, iso, link

CENT = Decimal("0.01")
HUNDRED = Decimal(100)


@dataclass(frozen=True, slots=True)
class Rate:
    """A payment method's fee: a fixed part plus a percentage of the amount, before VAT."""

    fixed: Decimal
    percentage: Decimal = Decimal(0)

    def net(self, value: Decimal) -> Decimal:
        return self.fixed + value * self.percentage / HUNDRED


# The shape of Mollie's Belgian pricing, not its current numbers.
DEFAULT_RATES = {
    "bancontact": Rate(Decimal("0.39")),
    "creditcard": Rate(Decimal("0.25"), Decimal("1.8")),
    "ideal": Rate(Decimal("0.29")),
    "kbc": Rate(Decimal("0.25"), Decimal("0.9")),
    "belfius": Rate(Decimal("0.25"), Decimal("0.9")),
    "banktransfer": Rate(Decimal("0.25")),
}
OTHER_RATE = Rate(Decimal("0.29"))
FEE_VAT = Decimal(21)  # Mollie is a Dutch company: its fees carry Dutch VAT
BANK_DESCRIPTION = "Mollie settlement {reference}"


def _four(currency: str, value: Decimal) -> dict[str, str]:
    """Period subtotals carry four decimals, as in Mollie's example."""
    return {"currency": currency, "value": f"{value:.4f}"}


@dataclass
class Settlement:
    id: str
    reference: str
    created_at: datetime
    currency: str
    payments: list[Payment]
    refunds: list[Refund]
    rates: dict[str, Rate]

    def fee(self, payment: Payment) -> tuple[Decimal, Decimal]:
        """(net, VAT) withheld for one payment, each rounded to the cent."""
        net = self.rates.get(payment.method or "", OTHER_RATE).net(payment.value).quantize(CENT, ROUND_HALF_UP)
        return net, (net * FEE_VAT / HUNDRED).quantize(CENT, ROUND_HALF_UP)

    @property
    def amount(self) -> Decimal:
        paid = sum((payment.value for payment in self.payments), Decimal("0.00"))
        refunded = sum((refund.value for refund in self.refunds), Decimal("0.00"))
        fees = sum((sum(self.fee(payment)) for payment in self.payments), Decimal("0.00"))
        return paid - refunded - fees

    @property
    def bank_description(self) -> str:
        return BANK_DESCRIPTION.format(reference=self.reference)

    def resource(self, root: str) -> dict[str, object]:
        base = f"{root}/v2/settlements/{self.id}"
        return {
            "resource": "settlement",
            "id": self.id,
            "reference": self.reference,
            "createdAt": iso(self.created_at),
            "settledAt": iso(self.created_at),
            "status": "paidout",
            "amount": amount(self.currency, self.amount),
            "periods": {
                str(self.created_at.year): {f"{self.created_at.month:02d}": self._period()},
            },
            "invoiceId": None,
            "_links": {
                "self": link(base),
                "payments": link(f"{base}/payments"),
                "refunds": link(f"{base}/refunds"),
                "chargebacks": link(f"{base}/chargebacks"),
                "documentation": link(f"{DOCS}/settlements-api/get-settlement", "text/html"),
            },
        }

    def _period(self) -> dict[str, object]:
        revenue: dict[str, list[Decimal]] = defaultdict(list)
        costs: dict[str, list[tuple[Decimal, Decimal]]] = defaultdict(list)
        for payment in self.payments:
            revenue[payment.method or "other"].append(payment.value)
            costs[payment.method or "other"].append(self.fee(payment))
        rows = [self._revenue(method, values) for method, values in revenue.items()]
        if self.refunds:
            rows.append(self._revenue("refund", [-refund.value for refund in self.refunds]))
        return {
            "revenue": rows,
            "costs": [self._costs(method, fees) for method, fees in costs.items()],
        }

    def _revenue(self, method: str, values: list[Decimal]) -> dict[str, object]:
        total = sum(values, Decimal(0))
        return {
            "description": "Refunds" if method == "refund" else method,
            "method": method,
            "count": len(values),
            "amountNet": _four(self.currency, total),
            "amountVat": None,
            "amountGross": _four(self.currency, total),
        }

    def _costs(self, method: str, fees: list[tuple[Decimal, Decimal]]) -> dict[str, object]:
        rate = self.rates.get(method, OTHER_RATE)
        net, vat = sum((fee[0] for fee in fees), Decimal(0)), sum((fee[1] for fee in fees), Decimal(0))
        return {
            "description": method,
            "method": method,
            "count": len(fees),
            "rate": {"fixed": _four(self.currency, rate.fixed), "percentage": f"{rate.percentage}"},
            "amountNet": _four(self.currency, net),
            "amountVat": _four(self.currency, vat),
            "amountGross": _four(self.currency, net + vat),
        }
