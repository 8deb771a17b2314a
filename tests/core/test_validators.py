"""IBANs, VAT numbers and structured references typed by people or sent by banks: the compact
form is kept, and a refusal says what is wrong."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from core.validators import (
    format_iban,
    is_structured_reference,
    normalize_iban,
    normalize_vat_number,
    validate_iban,
    validate_structured_reference,
)

# --- IBAN ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "compact"),
    [
        ("BE68 5390 0754 7034", "BE68539007547034"),
        ("  be68539007547034 ", "BE68539007547034"),
        ("NL91\u00a0ABNA 0417 1643 00", "NL91ABNA0417164300"),
        ("DE89-3704-0044-0532-0130-00", "DE89370400440532013000"),
    ],
)
def test_a_valid_iban_is_kept_compact(typed: str, compact: str):
    assert validate_iban(typed) == compact


def test_wrong_check_digits_are_a_typing_error():
    with pytest.raises(ValidationError, match="wrong check digits") as refused:
        validate_iban("BE68 5390 0754 7035")
    assert refused.value.code == "iban_checksum"


@pytest.mark.parametrize(
    "typed", ["BE68 5390 0754", "XX68539007547034", "12345678", "BE6853900754703A", "BE68" + "9" * 9_994]
)
def test_what_is_no_iban_is_refused_with_its_shape(typed: str):
    with pytest.raises(ValidationError, match="is not an IBAN") as refused:
        validate_iban(typed)
    assert refused.value.code == "iban_format"


def test_normalising_compacts_without_judging():
    assert normalize_iban(" be68 5390\t0754 7034") == "BE68539007547034"
    assert normalize_iban("not an iban") == "NOTANIBAN"


def test_an_iban_is_printed_in_groups_of_four():
    assert format_iban("be68539007547034") == "BE68 5390 0754 7034"
    assert format_iban("NL91 ABNA 0417 1643 00") == "NL91 ABNA 0417 1643 00"


# --- VAT numbers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "country", "compact"),
    [
        ("BE 0403.170.701", "BE", "BE0403170701"),
        ("0403170701", "be", "BE0403170701"),
        ("BE 403.170.701", "BE", "BE0403170701"),  # the old nine-digit form
        ("NL004495445B01", "NL", "NL004495445B01"),
        ("004495445B01", "NL", "NL004495445B01"),
        ("", "BE", ""),
        ("12-345 678", "US", "12345678"),
    ],
)
def test_vat_numbers_are_kept_compact_with_their_country(typed: str, country: str, compact: str):
    assert normalize_vat_number(typed, country) == compact


def test_a_belgian_vat_number_with_wrong_check_digits_is_refused():
    with pytest.raises(ValidationError, match="check digits do not match") as refused:
        normalize_vat_number("BE0403170702", "BE")
    assert refused.value.code == "vat_checksum"


def test_a_dutch_vat_number_of_the_wrong_shape_is_refused():
    with pytest.raises(ValidationError, match="is not a NL VAT number") as refused:
        normalize_vat_number("NL0044954451", "NL")
    assert refused.value.code == "vat_format"


# --- structured references -----------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["+++123/4567/89002+++", "***123/4567/89002***", "123 4567 89002", "123456789002"])
def test_accepted_spellings_of_a_structured_reference(typed: str):
    assert validate_structured_reference(typed) == "123456789002"


@pytest.mark.parametrize(
    ("typed", "message", "code"),
    [
        ("+++123/4567/89003+++", "wrong check digits", "reference_check"),
        ("+++123/4567/8900+++", "12 digits", "reference_format"),
        ("INV-2026-0001", "12 digits", "reference_format"),
        ("+++123/4567/8900\u0662+++", "12 digits", "reference_format"),
    ],
)
def test_bad_references_are_refused_with_a_reason(typed: str, message: str, code: str):
    with pytest.raises(ValidationError, match=message) as refused:
        validate_structured_reference(typed)
    assert refused.value.code == code


@pytest.mark.parametrize(
    ("digits", "valid"),
    [("123456789002", True), ("000000009797", True), ("123456789003", False), ("000000000000", False)],
)
def test_twelve_digits_are_a_reference_when_the_check_digits_match(digits: str, valid: bool):
    assert is_structured_reference(digits) is valid
