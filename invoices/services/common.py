"""Pieces the billing services share: line input, snapshots for the audit log, locking."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext

from core.models import Organization
from invoices.models.clients import Client
from invoices.models.lines import LineItem
from invoices.money import ZERO, LineAmounts, line_amounts
from invoices.vat import VatGroup, VatLine, document_problem, implied_category, line_problem, vat_breakdown, vat_total

# Amounts are stored with 14 digits, 2 after the point; keep every total well inside that.
MAX_AMOUNT = Decimal("100_000_000_000")


@dataclass(frozen=True)
class Line:
    description: str
    quantity: Decimal
    unit_price: Decimal
    vat_rate: Decimal
    # "" takes it from the rate: standard above 0 %, the zero rate at 0 %.
    vat_category: str = ""
    vat_exemption_reason: str = ""

    def __post_init__(self) -> None:
        if not self.vat_category:
            object.__setattr__(self, "vat_category", implied_category(self.vat_rate))

    @classmethod
    def of(cls, item: LineItem) -> Line:
        vat = (item.vat_rate, item.vat_category, item.vat_exemption_reason)
        return cls(item.description, item.quantity, item.unit_price, *vat)

    @property
    def amounts(self) -> LineAmounts:
        return line_amounts(self.quantity, self.unit_price, self.vat_rate)

    @property
    def vat_line(self) -> VatLine:
        return VatLine(self.vat_category, self.vat_rate, self.amounts.net, self.vat_exemption_reason)


@dataclass(frozen=True)
class DocumentAmounts:
    """A document's totals: the lines' net amounts, and VAT computed once per category and rate."""

    net: Decimal
    groups: list[VatGroup]

    @classmethod
    def of(cls, lines: Sequence[VatLine]) -> DocumentAmounts:
        return cls(sum((line.net for line in lines), ZERO), vat_breakdown(lines))

    @property
    def vat(self) -> Decimal:
        return vat_total(self.groups)

    @property
    def total(self) -> Decimal:
        return self.net + self.vat


def document_amounts(lines: Sequence[Line]) -> DocumentAmounts:
    return DocumentAmounts.of([line.vat_line for line in lines])


def validate_lines(lines: Sequence[Line]) -> None:
    if not lines:
        raise ValidationError(gettext("Add at least one line."))
    for number, line in enumerate(lines, start=1):
        problem = _line_problem(line)
        if problem:
            raise ValidationError(gettext("Line %(number)s: %(problem)s") % {"number": number, "problem": problem})
    if document_amounts(lines).total >= MAX_AMOUNT:
        raise ValidationError(gettext("The document's total is too large."))


def _line_problem(line: Line) -> str:
    """What is wrong with one line, in words, or ""."""
    if line.quantity <= 0:
        return gettext("the quantity must be more than zero.")
    if line.unit_price.as_tuple().exponent < -2:  # type: ignore[operator]
        return gettext("prices have at most two decimals.")
    if line.unit_price < 0:
        return gettext("prices cannot be negative; issue a credit note to give money back.")
    if not Decimal(0) <= line.vat_rate <= Decimal(100):
        return gettext("the VAT rate must be between 0 and 100 %.")
    problem = line_problem(line.vat_category, line.vat_rate, line.vat_exemption_reason)
    if problem:
        return problem
    if abs(line.amounts.gross) >= MAX_AMOUNT:
        return gettext("the amount is too large.")
    return ""


def validate_billed_lines(lines: Sequence[Line], client: Client) -> None:
    """An invoice's or credit note's lines: each valid, and their VAT categories together
    possible for this client."""
    validate_lines(lines)
    problem = document_problem([line.vat_category for line in lines], buyer_has_vat_number=bool(client.vat_number))
    if problem:
        raise ValidationError(problem)


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
            vat_category=line.vat_category,
            vat_exemption_reason=line.vat_exemption_reason.strip(),
            **{parent_field: parent},
        )
        item.compute_amounts()
        items.append(item)
    model._default_manager.bulk_create(items)


def require_same_organization(organization: Organization, *objects: models.Model | None) -> None:
    """A guard behind the views' scoping: never link rows of two organisations."""
    for obj in objects:
        if obj is not None and getattr(obj, "organization_id", None) != organization.pk:
            raise ValidationError(gettext("That record does not belong to this organisation."))


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    return {field: getattr(obj, field) for field in fields}
