"""WhatsApp numbers: parsed and checked with phonenumbers (Google's libphonenumber), kept in E.164."""

from __future__ import annotations

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext


def normalize_e164(text: str, region: str = "BE") -> str:
    """The number in E.164 (+32470123456). Written without a country code, it is read as a number
    of `region` (the client's country). Refused in words when it is no valid number."""
    candidate = text.strip()
    if candidate.startswith("00"):  # the international prefix of most of Europe
        candidate = "+" + candidate[2:]
    try:
        number = phonenumbers.parse(candidate, region.upper() if len(region) == 2 else None)
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(
            gettext("This is not a phone number. Write it with its country code, e.g. +32 470 12 34 56."),
            code="invalid_phone",
        ) from exc
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(
            gettext("%(number)s is not a valid phone number. Check the digits and the country code.")
            % {"number": text.strip()},
            code="invalid_phone",
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
