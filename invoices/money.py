"""Money arithmetic: Decimal only, each amount rounded once, half-up, to the cent."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
CURRENCIES = [
    ("EUR", "EUR — euro"),
    ("USD", "USD — US dollar"),
    ("GBP", "GBP — pound sterling"),
    ("CHF", "CHF — Swiss franc"),
]
# Every VAT rate the app knows (Belgium, the Netherlands, Luxembourg), highest first: the rates a
# line is offered depend on the organisation's country (invoices.vat.vat_rates_for).
VAT_RATES = [Decimal(rate) for rate in ("21", "17", "14", "12", "9", "8", "6", "3", "0")]


def round_cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class LineAmounts:
    net: Decimal
    vat: Decimal
    gross: Decimal


def line_amounts(quantity: Decimal, unit_price: Decimal, vat_rate: Decimal) -> LineAmounts:
    """Net and VAT each rounded once from the exact product; gross is their sum, so the
    printed columns always add up."""
    exact_net = quantity * unit_price
    net = round_cents(exact_net)
    vat = round_cents(exact_net * vat_rate / Decimal(100))
    return LineAmounts(net=net, vat=vat, gross=net + vat)
