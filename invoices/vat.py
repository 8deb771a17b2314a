"""VAT categories (the EN 16931 codes Peppol allows) and the VAT of a document, computed once per
category and rate: the sum of the lines' net amounts in a group, times the rate, rounded half up.
Never the sum of per-line rounded VAT, which drifts from it by a cent per few lines and is what
e-invoice receivers reject most."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from invoices.money import VAT_RATES, ZERO, round_cents


class VatCategory(models.TextChoices):
    STANDARD = "S", _("Standard rate")
    ZERO_RATED = "Z", _("Zero rate")
    EXEMPT = "E", _("Exempt from VAT")
    REVERSE_CHARGE = "AE", _("Reverse charge")
    INTRA_COMMUNITY = "K", _("Intra-community supply")
    EXPORT = "G", _("Export outside the EU")
    NOT_SUBJECT = "O", _("Not subject to VAT")


# The rates a line may carry where the organisation is established, highest first; 0 % is for
# the zero-rated, exempt and reverse-charge categories. A country not listed gets every rate known.
COUNTRY_VAT_RATES: dict[str, tuple[Decimal, ...]] = {
    "BE": (Decimal("21"), Decimal("12"), Decimal("6"), Decimal("0")),
    "NL": (Decimal("21"), Decimal("9"), Decimal("0")),
    "LU": (Decimal("17"), Decimal("14"), Decimal("8"), Decimal("3"), Decimal("0")),
}


def vat_rates_for(country: str | None, *, keep: Iterable[Decimal] = ()) -> list[Decimal]:
    """The rates offered on a line for an organisation in `country`, highest first, plus the
    rates in `keep` (those of the lines already on a document, so editing one keeps them valid)."""
    rates = set(COUNTRY_VAT_RATES.get((country or "").upper(), tuple(VAT_RATES)))
    rates.update(rate.normalize() + 0 for rate in keep)
    return sorted(rates, reverse=True)


def rate_key(rate: Decimal) -> str:
    """A rate as a choice's value: 21.00 and 21 are the same choice, "21"; 5.50 is "5.5"."""
    return f"{rate.normalize() + 0:f}"


# The reason a zero-rated category states (BT-120), when the user gives none, and its code (BT-121).
# Kept in English: it is a code-like text the e-invoice carries; documents print the label.
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
        return gettext("choose a VAT category.")
    if category == VatCategory.STANDARD:
        if rate > 0:
            return ""
        return gettext("a standard-rated line needs a VAT rate above 0 %; choose another category.")
    if rate != 0:
        return gettext("%(category)s is charged at 0 %%.") % {"category": str(VatCategory(category).label).lower()}
    if category == VatCategory.EXEMPT and not reason.strip():
        return gettext("say why the line is exempt from VAT (the article of the VAT code, for example).")
    return ""


def document_problem(categories: Iterable[str], *, buyer_has_vat_number: bool) -> str:
    """What is wrong with the categories of a document's lines together ("" when nothing)."""
    used = set(categories)
    if VatCategory.NOT_SUBJECT in used and len(used) > 1:
        return gettext("A document with lines not subject to VAT cannot have lines of another VAT category.")
    if not buyer_has_vat_number:
        for category in NEEDS_BUYER_VAT:
            if category in used:
                return gettext("%(category)s needs the client's VAT number: add it to the client first.") % {
                    "category": VatCategory(category).label
                }
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
