"""Identifiers typed by people or sent by banks: IBANs, VAT numbers and Belgian structured
references, checked by python-stdnum. Each validator returns the compact form to store, or
raises a ValidationError that says what is wrong."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from stdnum import exceptions as stdnum_errors
from stdnum import iban as stdnum_iban
from stdnum.be import ogm_vcs
from stdnum.be import vat as be_vat
from stdnum.eu import vat as eu_vat
from stdnum.nl import btw as nl_btw

_WHITESPACE = re.compile(r"\s+")

# The Benelux's own rules first; the other member states through the EU module. Greece's VAT
# numbers start with EL, not GR.
_VAT_RULES = {"BE": be_vat, "NL": nl_btw}
_VAT_PREFIXES = {"GR": "EL"}
_VAT_SEPARATORS = re.compile(r"[\s.\-/]")

# What may surround a structured reference's digits: +++…+++ or ***…***, slashes, spaces.
_REFERENCE_DECORATION = re.compile(r"[^\d+*/\s]", re.ASCII)
_NON_DIGITS = re.compile(r"\D", re.ASCII)


def normalize_iban(value: str) -> str:
    """The compact form (no spaces, upper case), valid or not: for storing and comparing."""
    return stdnum_iban.compact(_WHITESPACE.sub("", value))


def validate_iban(value: str) -> str:
    """The compact form of a valid IBAN: country, check digits and the account's length and
    shape for that country. The bank code itself is not looked up."""
    compact = normalize_iban(value)
    if _is_iban(compact):
        return compact
    # Only the check digits are wrong when the same account with the right ones is an IBAN.
    if (
        4 < len(compact) <= _IBAN_MAX_LENGTH
        and compact.isascii()
        and compact.isalnum()
        and _is_iban(_with_right_check_digits(compact))
    ):
        raise ValidationError(
            gettext("%(value)s has wrong check digits: check for a typing error.") % {"value": value},
            code="iban_checksum",
        )
    raise ValidationError(
        gettext("%(value)s is not an IBAN (two letters, two check digits, then the account).") % {"value": value},
        code="iban_format",
    )


# The longest IBAN of any country (ISO 13616); stdnum would turn a longer text into one huge integer.
_IBAN_MAX_LENGTH = 34


def _is_iban(compact: str) -> bool:
    return len(compact) <= _IBAN_MAX_LENGTH and stdnum_iban.is_valid(compact, check_country=False)


def _with_right_check_digits(compact: str) -> str:
    return compact[:2] + stdnum_iban.calc_check_digits(compact) + compact[4:]


def format_iban(value: str) -> str:
    """The IBAN in groups of four, as printed on documents: BE68 5390 0754 7034."""
    return stdnum_iban.format(_WHITESPACE.sub("", value))


def normalize_vat_number(value: str, country: str) -> str:
    """The VAT number in its compact form with its country prefix (`BE 0403.170.701` becomes
    `BE0403170701`), checked with the rules of its country when the country is in the EU.
    Outside the EU the number is only compacted. Raises ValidationError with the reason."""
    text = value.strip()
    country = country.strip().upper()
    if not text:
        return ""
    number = _VAT_SEPARATORS.sub("", text).upper()
    if country.lower() not in eu_vat.MEMBER_STATES:
        return number
    if not number[:2].isalpha():
        number = _VAT_PREFIXES.get(country, country) + number
    prefix, digits = number[:2], number[2:]
    rules = _VAT_RULES.get(prefix)
    try:
        if rules is not None:
            number = prefix + rules.validate(digits)  # the old nine-digit Belgian form gets its leading 0
        else:
            eu_vat.validate(number)
    except stdnum_errors.InvalidChecksum as exc:
        raise ValidationError(
            gettext("%(value)s is not a valid VAT number: its check digits do not match. Check for a typing error.")
            % {"value": text},
            code="vat_checksum",
        ) from exc
    except stdnum_errors.ValidationError as exc:
        raise ValidationError(
            gettext(
                "%(value)s is not a %(country)s VAT number: use the country code and the number, e.g. BE0403170701."
            )
            % {"value": text, "country": prefix},
            code="vat_format",
        ) from exc
    return number


def validate_structured_reference(text: str) -> str:
    """The twelve digits of a typed Belgian structured reference (+++, *** or bare digits, any
    spacing)."""
    stripped = text.strip()
    digits = _NON_DIGITS.sub("", stripped)
    if len(digits) != 12 or _REFERENCE_DECORATION.search(stripped):
        raise ValidationError(
            gettext("A structured reference has 12 digits, like +++123/4567/89012+++."), code="reference_format"
        )
    if not is_structured_reference(digits):
        raise ValidationError(
            gettext("This structured reference has wrong check digits: check for a typing error."),
            code="reference_check",
        )
    return digits


def is_structured_reference(digits: str) -> bool:
    """Whether twelve digits are a structured reference: the first ten modulo 97 (97 for 0)
    are the last two."""
    return len(digits) == 12 and ogm_vcs.is_valid(digits)
