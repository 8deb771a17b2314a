"""Formatting the cells of the charts' data tables."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django import template
from django.utils.formats import number_format

from dashboards.charts import Column

register = template.Library()


@register.filter
def cell(row: dict[str, Any], column: Column) -> str:
    value = row.get(column.key)
    if value is None:
        return "—"
    if column.kind == "money" and isinstance(value, Decimal):
        return number_format(value, decimal_pos=2, force_grouping=True)
    if column.kind == "date" and isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


@register.filter
def get_item(mapping: dict[str, Any], key: str) -> Any:
    return mapping.get(key, "")


@register.filter
def money(value: Decimal | None) -> str:
    return "—" if value is None else number_format(value, decimal_pos=2, force_grouping=True)


@register.filter
def is_numeric(column: Column) -> bool:
    return column.kind in ("money", "number", "percent")
