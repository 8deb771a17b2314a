"""Belgian structured communication: generated with mod-97 check digits, validated on input."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from invoices.references import format_reference, make_reference, parse_reference


def test_check_digits_are_the_remainder_by_97():
    assert make_reference(1234567890) == "123456789002"  # 1234567890 % 97 == 2
    assert make_reference(97) == "000000009797"  # a remainder of 0 is written 97


def test_format_groups_three_four_five():
    assert format_reference("123456789002") == "+++123/4567/89002+++"


@pytest.mark.parametrize("typed", ["+++123/4567/89002+++", "***123/4567/89002***", "123 4567 89002", "123456789002"])
def test_accepted_spellings(typed: str):
    assert parse_reference(typed) == "123456789002"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("+++123/4567/89003+++", "wrong check digits"),
        ("+++123/4567/8900+++", "12 digits"),
        ("INV-2026-0001", "12 digits"),
    ],
)
def test_bad_references_are_refused_with_a_reason(typed: str, message: str):
    with pytest.raises(ValidationError, match=message):
        parse_reference(typed)
