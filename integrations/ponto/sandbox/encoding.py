"""Wire formats of the simulated Ponto Connect API: timestamps, amounts, JSON and base64url.

Ponto writes timestamps as ISO-8601 UTC with milliseconds (`2020-06-19T00:00:00.000Z`) and
amounts as JSON numbers. Amounts are kept as `Decimal` here and written digit for digit, so a
client parsing with `parse_float=Decimal` gets back exactly what the sandbox holds.
"""

from __future__ import annotations

import base64
import json
import re
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

CENT = Decimal("0.01")

# A Decimal travels through json.dumps as a marked string and is unquoted afterwards: the C
# encoder stays in charge of everything else. U+E000 is a private-use character.
_MARK = "\ue000"
_MARKED_NUMBER = re.compile(f'"{_MARK}(-?[0-9]+(?:\\.[0-9]+)?){_MARK}"')


def iso_ms(moment: datetime) -> str:
    """`2020-06-19T00:00:00.000Z`: UTC, milliseconds, a Z."""
    moment = moment.astimezone(UTC)
    return f"{moment:%Y-%m-%dT%H:%M:%S}.{moment.microsecond // 1000:03d}Z"


def parse_timestamp(text: str) -> datetime:
    """An ISO-8601 date or timestamp; naive values are taken as UTC."""
    moment = datetime.fromisoformat(text)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


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


def b64url(data: bytes) -> str:
    """base64url without padding (JWT, PKCE)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")
