"""Bank-side details: IBANs with valid check digits and the dates banks put on bookings."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

BRUSSELS = ZoneInfo("Europe/Brussels")


def iban(country: str, bban: str) -> str:
    """An IBAN with ISO 13616 check digits for a country code and a national account number."""
    digits = "".join(str(int(char, 36)) for char in f"{bban}{country}00")
    return f"{country}{98 - int(digits) % 97:02d}{bban}"


def belgian_iban(bank_code: int, account_number: int) -> str:
    """BEkk BBBA AAAA AACC: three digits of bank code, seven of account, the national mod-97 pair."""
    base = bank_code * 10**7 + account_number
    return iban("BE", f"{base:010d}{base % 97 or 97:02d}")


def dutch_iban(bank: str, account_number: int) -> str:
    return iban("NL", f"{bank}{account_number:010d}")


def luxembourg_iban(bank_code: int, account_number: int) -> str:
    return iban("LU", f"{bank_code:03d}{account_number:013d}")


def is_valid_iban(text: str) -> bool:
    compact = text.replace(" ", "").upper()
    if len(compact) < 15 or not compact.isalnum():
        return False
    digits = "".join(str(int(char, 36)) for char in compact[4:] + compact[:4])
    return int(digits) % 97 == 1


def booking_stamp(day: date, *, local_midnight: bool) -> datetime:
    """The timestamp a bank gives a booking day.

    Banks that book without a time send either midnight UTC or midnight in Brussels written in
    UTC (`2019-01-01T23:00:00.000Z` for a booking on 2 January). Both are seen in the wild.
    """
    if local_midnight:
        return datetime.combine(day, time(), tzinfo=BRUSSELS).astimezone(UTC)
    return datetime.combine(day, time(), tzinfo=UTC)
