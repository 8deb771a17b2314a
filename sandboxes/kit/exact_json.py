"""JSON whose numbers are exact: amounts are kept as `Decimal` and written digit for digit, so a
client parsing with `parse_float=Decimal` gets back exactly what the sandbox holds."""

from __future__ import annotations

import json
import re
from decimal import Decimal, InvalidOperation
from typing import Any

CENT = Decimal("0.01")

# A Decimal travels through json.dumps as a marked string and is unquoted afterwards: the C
# encoder stays in charge of everything else. U+E000 is a private-use character.
_MARK = "\ue000"
_MARKED_NUMBER = re.compile(f'"{_MARK}(-?[0-9]+(?:\\.[0-9]+)?){_MARK}"')


def decimal_text(value: Decimal) -> str:
    """The shortest exact JSON number for a Decimal: 1234.50 → 1234.5, 100.00 → 100."""
    text = format(value.normalize(), "f")
    return "0" if text == "-0" else text


def to_amount(value: object) -> Decimal:
    """A money amount with two decimals, from a JSON number, a string or an int."""
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal | float):
        raise ValueError("an amount is a number or a numeric string")
    try:
        amount = Decimal(str(value))
    except InvalidOperation as error:
        raise ValueError(f"not an amount: {value!r}") from error
    if not amount.is_finite() or amount != amount.quantize(CENT):
        raise ValueError(f"an amount has at most two decimals: {value!r}")
    return amount.quantize(CENT)


def _encode_decimal(value: object) -> str:
    if isinstance(value, Decimal):
        return f"{_MARK}{decimal_text(value)}{_MARK}"
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def dumps(document: Any) -> str:
    """Compact JSON with Decimals written as exact numbers."""
    text = json.dumps(document, default=_encode_decimal, ensure_ascii=False, separators=(",", ":"))
    return _MARKED_NUMBER.sub(r"\1", text)


def loads(text: str | bytes) -> Any:
    """JSON with every non-integer number read as a Decimal."""
    return json.loads(text, parse_float=Decimal)
