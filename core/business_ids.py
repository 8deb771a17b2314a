"""A company's register number (Belgium's KBO/BCE enterprise number, the Netherlands' KvK number)
and its Peppol participant id, checked with python-stdnum and the rules of the Peppol reference
(peppol.md §2 and §6): in Belgium `0208:` and the ten-digit enterprise number by default, `9925:`
and the VAT number otherwise; in the Netherlands `0106:` and the KvK number, or `9944:` and the
VAT number. Each function returns the compact form to store, or raises a ValidationError that
says what is wrong."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from stdnum import exceptions as stdnum_errors
from stdnum.be import vat as be_vat
from stdnum.nl import btw as nl_btw

from core.validators import normalize_vat_number

_SEPARATORS = re.compile(r"[\s.\-/]")
_KVK = re.compile(r"[0-9]{8}")  # no check digits: stdnum has no nl.kvk
_SCHEME = re.compile(r"[0-9]{4}")
_OTHER_VALUE = re.compile(r"[A-Za-z0-9.\-_]{1,50}")


def normalize_enterprise_number(value: str, country: str) -> str:
    """BE: the ten-digit enterprise number (a nine-digit one gets its leading 0), check digits
    included; NL: the eight-digit KvK number; elsewhere the number without separators."""
    number = _SEPARATORS.sub("", value).upper()
    if not number:
        return ""
    if country == "BE":
        return _belgian_enterprise_number(number.removeprefix("BE"), value)
    if country == "NL":
        if not _KVK.fullmatch(number):
            raise ValidationError(
                gettext("%(value)s is not a KvK number: it has eight digits.") % {"value": value}, code="kvk_format"
            )
        return number
    return number


def _belgian_enterprise_number(digits: str, typed: str) -> str:
    try:
        return str(be_vat.validate(digits))
    except stdnum_errors.InvalidChecksum as exc:
        raise ValidationError(
            gettext(
                "%(value)s is not a valid enterprise number: its check digits do not match. Check for a typing error."
            )
            % {"value": typed},
            code="enterprise_checksum",
        ) from exc
    except stdnum_errors.ValidationError as exc:
        raise ValidationError(
            gettext("%(value)s is not an enterprise number: ten digits, e.g. 0477.472.701.") % {"value": typed},
            code="enterprise_format",
        ) from exc


@dataclass(frozen=True)
class ParticipantId:
    """A Peppol participant: the scheme (an ISO 6523 ICD code) and the identifier in it."""

    scheme: str
    value: str

    def __str__(self) -> str:
        return f"{self.scheme}:{self.value}"


def _checked_vat(country: str) -> Callable[[str], str]:
    def check(value: str) -> str:
        number = normalize_vat_number(value, country)
        if not number.startswith(country):
            raise ValidationError(
                gettext("%(value)s is not a %(country)s VAT number.") % {"value": value, "country": country},
                code="participant_vat",
            )
        return number

    return check


# What each scheme's identifier must be, by the reference; any other scheme is taken as written.
_SCHEMES: dict[str, Callable[[str], str]] = {
    "0208": lambda value: normalize_enterprise_number(value, "BE"),
    "9925": _checked_vat("BE"),
    "0106": lambda value: normalize_enterprise_number(value, "NL"),
    "9944": _checked_vat("NL"),
}


def parse_participant_id(text: str) -> ParticipantId:
    """`0208:0477472701`, `9925:BE0477472701`, …: the scheme, a colon and the identifier."""
    scheme, colon, value = text.strip().partition(":")
    if not colon or not _SCHEME.fullmatch(scheme) or not value.strip():
        raise ValidationError(
            gettext("%(value)s is not a Peppol ID: a four-digit scheme, a colon and the number, e.g. 0208:0477472701.")
            % {"value": text},
            code="participant_format",
        )
    check = _SCHEMES.get(scheme)
    if check is not None:
        return ParticipantId(scheme, check(value))
    if not _OTHER_VALUE.fullmatch(value.strip()):
        raise ValidationError(
            gettext("%(value)s is not a Peppol ID: the number has letters and digits only.") % {"value": text}
        )
    return ParticipantId(scheme, value.strip())


def default_participant_id(country: str, enterprise_number: str, vat_number: str) -> ParticipantId | None:
    """The id a company is most likely registered under when it names none (reference §2)."""
    # Numbers stored before they were checked may still hold spaces, dots or the old nine digits.
    if country == "BE" and be_vat.is_valid(enterprise_number):
        return ParticipantId("0208", be_vat.compact(enterprise_number))
    if country == "BE" and vat_number.strip().upper().startswith("BE") and be_vat.is_valid(vat_number):
        return ParticipantId("0208", be_vat.compact(vat_number))
    if country == "NL" and _KVK.fullmatch(enterprise_number):
        return ParticipantId("0106", enterprise_number)
    if country == "NL" and vat_number.strip().upper().startswith("NL") and nl_btw.is_valid(vat_number):
        return ParticipantId("9944", "NL" + nl_btw.compact(vat_number))
    return None


@dataclass(frozen=True)
class BusinessIds:
    """A company's VAT number, register number and Peppol id as typed; `normalized` checks them."""

    country: str
    vat_number: str
    enterprise_number: str
    peppol_id: str

    def normalized(self) -> BusinessIds:
        """The compact forms; ValidationError with a message per field that is wrong, including
        a Belgian VAT number and enterprise number that name two different companies."""
        errors: dict[str, ValidationError] = {}
        fields = {"vat_number": self.vat_number, "enterprise_number": self.enterprise_number}
        fields["peppol_id"] = self.peppol_id
        checks: dict[str, Callable[[str], str]] = {
            "vat_number": lambda value: normalize_vat_number(value, self.country),
            "enterprise_number": lambda value: normalize_enterprise_number(value, self.country),
            "peppol_id": lambda value: str(parse_participant_id(value)) if value.strip() else "",
        }
        for name, check in checks.items():
            try:
                fields[name] = check(fields[name])
            except ValidationError as exc:
                errors[name] = exc
        vat, enterprise = fields["vat_number"], fields["enterprise_number"]
        if not errors and self.country == "BE" and vat and enterprise and vat != f"BE{enterprise}":
            errors["enterprise_number"] = ValidationError(
                gettext("The VAT number %(vat)s belongs to enterprise %(owner)s, not %(enterprise)s.")
                % {"vat": vat, "owner": vat[2:], "enterprise": enterprise},
                code="enterprise_mismatch",
            )
        if errors:
            raise ValidationError(errors)
        return BusinessIds(self.country, vat, enterprise, fields["peppol_id"])

    @property
    def participant_id(self) -> ParticipantId | None:
        """The Peppol id given (as stored: checked when it was saved), else the usual one."""
        if self.peppol_id:
            scheme, _, value = self.peppol_id.partition(":")
            return ParticipantId(scheme, value)
        return default_participant_id(self.country, self.enterprise_number, self.vat_number)
