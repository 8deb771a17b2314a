"""Mollie's amount object: `{"currency": "EUR", "value": "12.34"}`, the value a string with exactly
the currency's decimals (create-payment: "Make sure to send the right amount of decimals.
Non-string values are not accepted"). The sandbox knows two-decimal currencies only."""

from __future__ import annotations

import re
from decimal import Decimal

from sandboxes.mollie.errors import unprocessable

VALUE = re.compile(r"^\d{1,10}\.\d{2}$")


def parse_amount(document: object, field: str, currencies: frozenset[str]) -> tuple[str, Decimal]:
    """(currency, value) of an amount object; a 422 naming `field` when it is not one."""
    if not isinstance(document, dict):
        raise unprocessable(f"The {field} is invalid: send an object with a currency and a value", field)
    currency, value = document.get("currency"), document.get("value")
    if not isinstance(currency, str) or currency not in currencies:
        raise unprocessable(f"The {field} currency is not supported: {currency!r}", field)
    if not isinstance(value, str) or not VALUE.match(value):
        raise unprocessable(f"The {field} contains an invalid value: send a string with two decimals", field)
    return currency, Decimal(value)


def amount(currency: str, value: Decimal) -> dict[str, str]:
    return {"currency": currency, "value": f"{value:.2f}"}
