"""Formatting the cells of the charts' data tables, in the active language (core.formatting)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django import template

from core.formatting import format_date, format_number
from dashboards.charts import Column

register = template.Library()


@register.filter
def cell(row: dict[str, Any], column: Column) -> str:
    value = row.get(column.key)
    if value is None:
        return "—"
    if column.kind == "money" and isinstance(value, Decimal):
        return format_number(value, 2)
    if column.kind == "number" and isinstance(value, int | Decimal):
        return format_number(value)
    if column.kind == "date" and isinstance(value, datetime.date):
        return format_date(value)
    return str(value)


@register.filter
def get_item(mapping: dict[str, Any], key: str) -> Any:
    return mapping.get(key, "")


@register.filter
def is_numeric(column: Column) -> bool:
    return column.kind in ("money", "number", "percent")
