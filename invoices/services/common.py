"""Pieces the billing services share: line input, snapshots for the audit log, locking."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from core.models import Organization
from invoices.models.lines import LineItem
from invoices.money import LineAmounts, line_amounts

# Amounts are stored with 14 digits, 2 after the point; keep every total well inside that.
MAX_AMOUNT = Decimal("100_000_000_000")


@dataclass(frozen=True)
class Line:
    description: str
    quantity: Decimal
    unit_price: Decimal
    vat_rate: Decimal

    @classmethod
    def of(cls, item: LineItem) -> Line:
        return cls(item.description, item.quantity, item.unit_price, item.vat_rate)

    @property
    def amounts(self) -> LineAmounts:
        return line_amounts(self.quantity, self.unit_price, self.vat_rate)

    @property
    def gross(self) -> Decimal:
        return self.amounts.gross


def validate_lines(lines: Sequence[Line]) -> None:
    if not lines:
        raise ValidationError("Add at least one line.")
    for number, line in enumerate(lines, start=1):
        if line.quantity <= 0:
            raise ValidationError(f"Line {number}: the quantity must be more than zero.")
        if line.unit_price.as_tuple().exponent < -2:  # type: ignore[operator]
            raise ValidationError(f"Line {number}: prices have at most two decimals.")
        if line.unit_price < 0:
            raise ValidationError(f"Line {number}: prices cannot be negative; issue a credit note to give money back.")
        if not Decimal(0) <= line.vat_rate <= Decimal(100):
            raise ValidationError(f"Line {number}: the VAT rate must be between 0 and 100 %.")
        if abs(line.gross) >= MAX_AMOUNT:
            raise ValidationError(f"Line {number}: the amount is too large.")
    if sum((line.gross for line in lines), Decimal(0)) >= MAX_AMOUNT:
        raise ValidationError("The document's total is too large.")


def create_lines(
    model: type[LineItem], parent_field: str, parent: models.Model, organization: Organization, lines: Iterable[Line]
) -> None:
    items = []
    for position, line in enumerate(lines):
        item = model(
            organization=organization,
            position=position,
            description=line.description,
            quantity=line.quantity,
            unit_price=line.unit_price,
            vat_rate=line.vat_rate,
            **{parent_field: parent},
        )
        item.compute_amounts()
        items.append(item)
    model._default_manager.bulk_create(items)


def require_same_organization(organization: Organization, *objects: models.Model | None) -> None:
    """A guard behind the views' scoping: never link rows of two organisations."""
    for obj in objects:
        if obj is not None and getattr(obj, "organization_id", None) != organization.pk:
            raise ValidationError("That record does not belong to this organisation.")


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    return {field: getattr(obj, field) for field in fields}
