"""Belgian structured communication (OGM/VCS): +++123/4567/89012+++.

Ten digits and two check digits: the ten-digit number modulo 97, with 97 instead of 0.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

_NON_DIGITS = re.compile(r"\D")


def check_digits(base: int) -> int:
    return base % 97 or 97


def make_reference(base: int) -> str:
    """The twelve digits for a ten-digit base number."""
    if not 0 < base < 10**10:
        raise ValueError("a structured reference is built from a number of at most ten digits")
    return f"{base:010d}{check_digits(base):02d}"


def format_reference(digits: str) -> str:
    return f"+++{digits[:3]}/{digits[3:7]}/{digits[7:]}+++"


def parse_reference(text: str) -> str:
    """The twelve digits of a typed reference (+++, *** or bare digits, any spacing)."""
    stripped = text.strip()
    digits = _NON_DIGITS.sub("", stripped)
    if len(digits) != 12 or re.search(r"[^\d+*/\s]", stripped):
        raise ValidationError(
            "A structured reference has 12 digits, like +++123/4567/89012+++.", code="reference_format"
        )
    if int(digits[10:]) != check_digits(int(digits[:10])):
        raise ValidationError(
            "This structured reference has wrong check digits: check for a typing error.", code="reference_check"
        )
    return digits
