"""The payment QR code of an open invoice (EPC069-12, "scan to pay"): the SEPA credit transfer a
banking app fills in from it, drawn with segno. What goes in each field follows the reference
(peppol.md §5): version 002, the BIC when known, the open amount in euro, the structured reference
in the structured remittance field and nothing in the unstructured one.

Whether every Belgian banking app reads a structured reference (OGM/VCS) from the structured field
is not documented anywhere we found; Odoo puts it there, formatted, and so do we by default.
`EPC_QR_REFERENCE = "digits"` sends the twelve digits alone instead.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import segno
from django.conf import settings
from django.utils.translation import gettext
from segno import helpers
from stdnum import bic as bic_code
from stdnum import iban as iban_number
from stdnum.be import iban as belgian_iban

from core.validators import format_iban
from invoices.models import BillingProfile, Invoice
from invoices.references import format_reference

# EPC069-12's bounds for the amount and the beneficiary's name.
SMALLEST_AMOUNT = Decimal("0.01")
LARGEST_AMOUNT = Decimal("999999999.99")
NAME_LENGTH = 70
# EPC069-12's character set codes (the third line of the code's text).
CHARACTER_SETS = {
    1: "utf-8",
    2: "iso-8859-1",
    3: "iso-8859-2",
    4: "iso-8859-4",
    5: "iso-8859-5",
    6: "iso-8859-7",
    7: "iso-8859-10",
    8: "iso-8859-15",
}
# Version 002 may leave the BIC out inside the EEA only (reference §5.1); SEPA's members outside
# it (CH, GB, MC…) would need one, and other countries no SEPA transfer at all: no code for them.
EEA = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "CY",
        "CZ",
        "DE",
        "DK",
        "EE",
        "ES",
        "FI",
        "FR",
        "GR",
        "HR",
        "HU",
        "IE",
        "IT",
        "LT",
        "LU",
        "LV",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SE",
        "SI",
        "SK",
        "IS",
        "LI",
        "NO",
    ]
)


@dataclass(frozen=True)
class CreditTransfer:
    """What the QR code asks the payer's bank to do."""

    name: str
    iban: str
    bic: str
    amount: Decimal
    reference: str  # the structured remittance field (a creditor reference), or ""
    text: str  # the unstructured one, only when there is no structured reference

    @property
    def printed_iban(self) -> str:
        return format_iban(self.iban)

    def qr_code(self) -> segno.QRCode:
        return _qr_code(self)

    def payload(self) -> str:
        """The text the code encodes (EPC069-12's lines), for a program that draws its own code."""
        # segno's own encoder of the text, which make_epc_qr draws (not in its type stubs).
        data: bytes = helpers._make_epc_qr_data(**self._fields())  # type: ignore[attr-defined]
        return data.decode(CHARACTER_SETS[int(data.split(b"\n")[2])])

    def _fields(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "iban": self.iban,
            "amount": self.amount,
            "reference": self.reference or None,
            "text": self.text or None,
            "bic": self.bic or None,
        }

    def svg(self) -> str:
        """The code as an inline SVG element (no script, no style attribute: the page's CSP holds)."""
        return str(self.qr_code().svg_inline(scale=3, border=2, omitsize=True))


# An invoice's page is opened again and again, and its PDF fetched more than once: each process
# keeps the codes it drew lately (a few kB each) instead of encoding them anew each time.
@functools.lru_cache(maxsize=256)
def _qr_code(transfer: CreditTransfer) -> segno.QRCode:
    return helpers.make_epc_qr(**transfer._fields())


def credit_transfer(invoice: Invoice, profile: BillingProfile | None) -> CreditTransfer | None:
    """The transfer that pays what is open on `invoice` to the organisation's account; None when
    there is nothing to scan: not open, nothing left, not in euro, or no valid IBAN to pay to."""
    if profile is None or invoice.currency != "EUR" or not invoice.is_open:
        return None
    if not SMALLEST_AMOUNT <= invoice.balance_due <= LARGEST_AMOUNT or not iban_number.is_valid(profile.iban):
        return None
    iban = iban_number.compact(profile.iban)
    if iban[:2] not in EEA:
        return None
    reference = _reference(invoice.payment_reference)
    transfer = CreditTransfer(
        name=_one_line(profile.display_name)[:NAME_LENGTH],
        iban=iban,
        bic=_bic(profile.bic, iban),
        amount=invoice.balance_due,
        reference=reference,
        # In the language of the page or PDF that shows the code.
        text="" if reference else gettext("Invoice %(number)s") % {"number": invoice.number},
    )
    try:
        transfer.qr_code()
    except ValueError:  # more than the 331 bytes a code holds (a name of 70 four-byte characters)
        return None
    return transfer


def _one_line(text: str) -> str:
    """The text with its control characters and runs of spaces made single spaces: a line break
    would shift every later field of the code (the IBAN among them)."""
    return " ".join("".join(c if c.isprintable() else " " for c in text).split())


def _reference(digits: str) -> str:
    if not digits:
        return ""
    return digits if settings.EPC_QR_REFERENCE == "digits" else format_reference(digits)


def _bic(given: str, iban: str) -> str:
    """The BIC, optional in version 002 (inside the EEA): the profile's, or the one a Belgian
    IBAN's bank code names. When they disagree, or the BIC is of another country than the IBAN,
    none: a wrong BIC could stop a transfer that the IBAN alone routes."""
    named = (belgian_iban.to_bic(iban) or "") if iban.startswith("BE") else ""
    if not bic_code.is_valid(given):
        return named
    given = bic_code.compact(given)
    if given[4:6] != iban[:2] or (named and given[:8] != named[:8]):
        return ""  # a bank of another country, or another bank than the IBAN's
    return given
