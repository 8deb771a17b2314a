"""Yuki's wire formats, which differ from call to call (reference §6.3), and reading request values.

* dates `2020-01-31` (any-XML results), midnight timestamps `2020-08-06T00:00:00` and .NET
  timestamps `2023-06-06T16:39:38.147` (typed results), the US-locale `4/10/2019 3:50:52 PM`
  (contacts); all in Yuki's local time (Europe/Amsterdam), without an offset;
* amounts with a dot and always two decimals (`-1222.22`); `currencyRate` with six;
* booleans `true`/`false`, except the few .NET `True`/`False` ones.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from zoneinfo import ZoneInfo

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
CENT = Decimal("0.01")
EARLIEST = datetime(1, 1, 1)


def local(moment: datetime) -> datetime:
    """The naive Amsterdam wall-clock time of an aware moment."""
    return moment.astimezone(AMSTERDAM).replace(tzinfo=None)


def local_day(moment: datetime) -> date:
    return moment.astimezone(AMSTERDAM).date()


def at_local(day: date, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    """The aware moment of a local wall-clock time on `day`."""
    return datetime.combine(day, time(hour, minute, second), tzinfo=AMSTERDAM).astimezone(UTC)


def xml_date(day: date | None) -> str:
    return "" if day is None else day.isoformat()


def midnight(day: date) -> str:
    """`2020-08-06T00:00:00`: a date as .NET serialises a DateTime without time."""
    return f"{day.isoformat()}T00:00:00"


def dotnet_timestamp(moment: datetime) -> str:
    """`2023-06-06T16:39:38.147` / `2023-07-25T13:37:58.3`: local time, milliseconds without trailing zeros."""
    wall = local(moment)
    text = f"{wall:%Y-%m-%dT%H:%M:%S}"
    fraction = f"{wall.microsecond // 1000:03d}".rstrip("0")
    return f"{text}.{fraction}" if fraction else text


def us_timestamp(moment: datetime) -> str:
    """`4/10/2019 3:50:52 PM`: the US-locale format of contact timestamps."""
    wall = local(moment)
    hour = wall.hour % 12 or 12
    return f"{wall.month}/{wall.day}/{wall.year} {hour}:{wall:%M:%S} {'PM' if wall.hour >= 12 else 'AM'}"


def money(cents: int) -> str:
    """`-1222.22`: a dot, two decimals, no thousands separator."""
    sign = "-" if cents < 0 else ""
    whole, rest = divmod(abs(cents), 100)
    return f"{sign}{whole}.{rest:02d}"


def to_cents(value: Decimal) -> int:
    return int(value.quantize(CENT, rounding=ROUND_HALF_UP) * 100)


def flag(value: bool, *, dotnet: bool = False) -> str:
    if dotnet:
        return "True" if value else "False"
    return "true" if value else "false"


def plain_number(value: Decimal) -> str:
    """`21`, `5.5`: a percentage the way Yuki writes it in messages."""
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "0") else text


# --- reading request values -----------------------------------------------------------------------
def parse_boolean(text: str) -> bool:
    """xs:boolean: true, false, 1 or 0."""
    value = text.strip()
    if value in ("true", "1"):
        return True
    if value in ("false", "0"):
        return False
    raise ValueError(f"The string '{text}' is not a valid Boolean value.")


def parse_int(text: str) -> int:
    value = text.strip()
    if not value or not value.lstrip("+-").isdigit():
        raise ValueError("Input string was not in a correct format.")
    return int(value)


def parse_decimal(text: str) -> Decimal:
    try:
        value = Decimal(text.strip())
    except InvalidOperation as error:
        raise ValueError(f"The string '{text}' is not a valid Decimal value.") from error
    if not value.is_finite() or "e" in text.lower():
        raise ValueError(f"The string '{text}' is not a valid Decimal value.")
    return value


def parse_moment(text: str) -> datetime:
    """An xs:dateTime (or a bare date) as naive Amsterdam wall-clock time; offsets are converted."""
    value = text.strip()
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as error:
        raise ValueError(f"The string '{text}' is not a valid AllXsd value.") from error
    if moment.tzinfo is None:
        return moment
    try:
        return moment.astimezone(AMSTERDAM).replace(tzinfo=None)
    except OverflowError:  # 0001-01-01T00:00:00Z and friends: before any data anyway
        return EARLIEST


def is_date_only(text: str) -> bool:
    return len(text.strip()) == 10


def end_of(text: str, moment: datetime) -> datetime:
    """An end bound: a bare date includes its whole day."""
    return moment + timedelta(days=1) - timedelta(microseconds=1) if is_date_only(text) else moment
