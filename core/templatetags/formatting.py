"""`{{ amount|money:currency }}`, `{{ day|day }}`, `{{ day|longday }}`, `{{ rate|percent }}`:
the template side of core.formatting."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from core import formatting

register = template.Library()


@register.filter
def money(value: Decimal | int | float | None, currency: str = "EUR") -> str:
    return "—" if value is None or value == "" else formatting.format_money(value, currency or "EUR")


@register.filter
def signed_money(value: Decimal | int | float | None, currency: str = "EUR") -> str:
    """Money in with a +, money out with a -: a statement's amounts."""
    return "—" if value is None or value == "" else formatting.format_money(value, currency or "EUR", signed=True)


@register.filter
def day(value: datetime.date | None) -> str:
    return "—" if not value else formatting.format_date(value)


@register.filter
def longday(value: datetime.date | None) -> str:
    return "—" if not value else formatting.format_date(value, "DATE_FORMAT")


@register.filter
def percent(value: Decimal | None) -> str:
    return "—" if value is None else formatting.format_percent(Decimal(value))


@register.filter
def quantity(value: Decimal | None) -> str:
    return "—" if value is None else formatting.format_quantity(Decimal(value))


@register.filter
def breakable_reference(value: str) -> SafeString:
    """A structured reference (+++202/6000/00192+++) that a narrow column wraps only after a
    slash, never inside a group of digits someone reads and types."""
    return mark_safe("/<wbr>".join(escape(part) for part in str(value).split("/")))  # noqa: S308  (each part escaped)
