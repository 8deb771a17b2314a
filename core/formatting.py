"""Money, numbers and dates for people, in the active language, one way everywhere.

Screens, PDFs, emails and chart labels all go through these functions (and the template
filters in core.templatetags.formatting), so "€ 2.518,30" in Dutch and French and "€2,518.30" in
English read the same on every page. Separators come from the format modules in config/formats.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import formats, translation

# A non-breaking space keeps the symbol with its amount when a cell wraps.
NBSP = "\u00a0"
SYMBOLS = {"EUR": "€", "GBP": "£", "USD": "$"}


def format_number(value: Decimal | int | float, decimal_places: int | None = None) -> str:
    return formats.number_format(value, decimal_pos=decimal_places, use_l10n=True, force_grouping=True)


def format_quantity(value: Decimal) -> str:
    """2.000 → 2, 1.500 → 1,5 (in Dutch): no trailing zeros."""
    text = f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return format_number(Decimal(text))


def format_percent(rate: Decimal) -> str:
    return f"{format_quantity(rate)}{NBSP}%"


def format_money(amount: Decimal | int | float, currency: str = "EUR", *, signed: bool = False) -> str:
    """€2,518.30 in English; € 2.518,30 in Dutch and French (also for fr-BE, on purpose).
    `signed` writes a + before money in, as a bank statement does: +€2,518.30, € +2.518,30."""
    amount = Decimal(amount)
    digits = format_number(abs(amount), 2)
    sign = "-" if amount < 0 else ("+" if signed and amount > 0 else "")
    symbol = SYMBOLS.get(currency)
    english = (translation.get_language() or "en").startswith("en")
    if symbol is None:
        return f"{currency}{NBSP}{sign}{digits}"
    if english:
        return f"{sign}{symbol}{digits}"
    return f"{symbol}{NBSP}{sign}{digits}"


def format_date(value: datetime.date | datetime.datetime, style: str = "SHORT_DATE_FORMAT") -> str:
    """A date as the language writes it in a table (05-12-2026, 05/12/2026); DATE_FORMAT for
    running text (5 december 2026)."""
    if isinstance(value, datetime.datetime):
        value = value.date()
    return formats.date_format(value, style, use_l10n=True)
