"""VAT categories (the EN 16931 codes Peppol allows) and the VAT of a document, computed once per
category and rate: the sum of the lines' net amounts in a group, times the rate, rounded half up.
Never the sum of per-line rounded VAT, which drifts from it by a cent per few lines and is what
e-invoice receivers reject most."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import models

from invoices.money import ZERO, round_cents


class VatCategory(models.TextChoices):
    STANDARD = "S", "Standard rate"
    ZERO_RATED = "Z", "Zero rate"
    EXEMPT = "E", "Exempt from VAT"
    REVERSE_CHARGE = "AE", "Reverse charge"
    INTRA_COMMUNITY = "K", "Intra-community supply"
    EXPORT = "G", "Export outside the EU"
    NOT_SUBJECT = "O", "Not subject to VAT"


# The reason a zero-rated category states (BT-120), when the user gives none, and its code (BT-121).
STANDARD_REASONS = {
    VatCategory.REVERSE_CHARGE: "Reverse charge",
    VatCategory.INTRA_COMMUNITY: "Intra-community supply",
    VatCategory.EXPORT: "Export outside the EU",
    VatCategory.NOT_SUBJECT: "Not subject to VAT",
}
EXEMPTION_CODES = {
    VatCategory.REVERSE_CHARGE: "VATEX-EU-AE",
    VatCategory.INTRA_COMMUNITY: "VATEX-EU-IC",
    VatCategory.EXPORT: "VATEX-EU-G",
    VatCategory.NOT_SUBJECT: "VATEX-EU-O",
}
# Categories whose buyer must have a VAT number (BR-AE-02, BR-IC-02).
NEEDS_BUYER_VAT = (VatCategory.REVERSE_CHARGE, VatCategory.INTRA_COMMUNITY)


def implied_category(rate: Decimal) -> VatCategory:
    """The category of a line that names none: standard above 0 %, the zero rate at 0 %."""
    return VatCategory.STANDARD if rate > 0 else VatCategory.ZERO_RATED


def line_problem(category: str, rate: Decimal, reason: str) -> str:
    """What is wrong with a line's VAT category, rate and exemption reason ("" when nothing)."""
    if category not in VatCategory.values:
        return "choose a VAT category."
    if category == VatCategory.STANDARD:
        return "" if rate > 0 else "a standard-rated line needs a VAT rate above 0 %; choose another category."
    if rate != 0:
        return f"{VatCategory(category).label.lower()} is charged at 0 %."
    if category == VatCategory.EXEMPT and not reason.strip():
        return "say why the line is exempt from VAT (the article of the VAT code, for example)."
    return ""


def document_problem(categories: Iterable[str], *, buyer_has_vat_number: bool) -> str:
    """What is wrong with the categories of a document's lines together ("" when nothing)."""
    used = set(categories)
    if VatCategory.NOT_SUBJECT in used and len(used) > 1:
        return "A document with lines not subject to VAT cannot have lines of another VAT category."
    if not buyer_has_vat_number:
        for category in NEEDS_BUYER_VAT:
            if category in used:
                return f"{VatCategory(category).label} needs the client's VAT number: add it to the client first."
    return ""


@dataclass(frozen=True)
class VatGroup:
    category: str
    rate: Decimal
    taxable: Decimal
    vat: Decimal
    reason: str  # the exemption reason stated for the group, "" for standard and zero rate


@dataclass(frozen=True)
class VatLine:
    category: str
    rate: Decimal
    net: Decimal
    reason: str = ""
    vat: Decimal = ZERO  # the line's own rounded VAT: counts only for VAT rounded per line


def vat_breakdown(lines: Iterable[VatLine], *, per_line: bool = False) -> list[VatGroup]:
    """One group per (category, rate), highest rate first; the first reason given in a group
    stands for it (or the category's standard one). `per_line`: a group's VAT is the sum of its
    lines' rounded VAT, as for invoices issued before VAT was computed per group."""
    nets: dict[tuple[str, Decimal], Decimal] = {}
    line_vats: dict[tuple[str, Decimal], Decimal] = {}
    reasons: dict[tuple[str, Decimal], str] = {}
    for line in lines:
        key = (line.category, line.rate.normalize() + 0)  # 21 and 21.00 are one group
        nets[key] = nets.get(key, ZERO) + line.net
        line_vats[key] = line_vats.get(key, ZERO) + line.vat
        if not reasons.get(key):
            reasons[key] = line.reason.strip()
    groups = []
    for key, taxable in sorted(nets.items(), key=lambda item: (-item[0][1], item[0][0])):
        category, rate = key
        reason = reasons[key] or STANDARD_REASONS.get(VatCategory(category), "")
        if category in (VatCategory.STANDARD, VatCategory.ZERO_RATED):
            reason = ""
        vat = round_cents(line_vats[key]) if per_line else round_cents(taxable * rate / 100)
        groups.append(VatGroup(category, rate, round_cents(taxable), vat, reason))
    return groups


def vat_total(groups: Sequence[VatGroup]) -> Decimal:
    return sum((group.vat for group in groups), ZERO)
