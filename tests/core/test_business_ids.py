"""Enterprise numbers and Peppol participant ids, by the reference's examples (peppol.md §6):
compact forms stored, wrong ones refused in words, and the usual Peppol id when none is given."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from core.business_ids import (
    BusinessIds,
    ParticipantId,
    default_participant_id,
    normalize_enterprise_number,
    parse_participant_id,
)


@pytest.mark.parametrize(
    ("typed", "country", "stored"),
    [
        ("0477.472.701", "BE", "0477472701"),
        ("BE 0477 472 701", "BE", "0477472701"),
        ("477.472.701", "BE", "0477472701"),  # the old nine-digit form
        ("1234 5678", "NL", "12345678"),
        ("HRB 12345", "DE", "HRB12345"),
        ("", "BE", ""),
    ],
)
def test_an_enterprise_number_is_stored_compact(typed: str, country: str, stored: str):
    assert normalize_enterprise_number(typed, country) == stored


@pytest.mark.parametrize(
    ("typed", "country", "code"),
    [
        ("0477.472.702", "BE", "enterprise_checksum"),
        ("1477472701", "BE", "enterprise_checksum"),
        ("04774727", "BE", "enterprise_format"),
        ("1234567", "NL", "kvk_format"),
        ("1234567X", "NL", "kvk_format"),
    ],
)
def test_a_wrong_enterprise_number_is_refused_in_words(typed: str, country: str, code: str):
    with pytest.raises(ValidationError) as raised:
        normalize_enterprise_number(typed, country)

    assert raised.value.code == code
    assert typed in raised.value.messages[0]


@pytest.mark.parametrize(
    ("typed", "parsed"),
    [
        ("0208:0477472701", ParticipantId("0208", "0477472701")),
        (" 0208:0477.472.701 ", ParticipantId("0208", "0477472701")),
        ("9925:be0477472701", ParticipantId("9925", "BE0477472701")),
        ("9925:0477472701", ParticipantId("9925", "BE0477472701")),
        ("0106:12345678", ParticipantId("0106", "12345678")),
        ("9944:NL004495445B01", ParticipantId("9944", "NL004495445B01")),
        ("0088:5790000435975", ParticipantId("0088", "5790000435975")),
    ],
)
def test_a_peppol_id_is_checked_by_its_scheme(typed: str, parsed: ParticipantId):
    assert parse_participant_id(typed) == parsed


@pytest.mark.parametrize(
    "typed", ["0477472701", "208:0477472701", "0208:", "0208:0477472702", "9925:NL004495445B01", "0088:a b", ":x"]
)
def test_a_wrong_peppol_id_is_refused(typed: str):
    with pytest.raises(ValidationError):
        parse_participant_id(typed)


@pytest.mark.parametrize(
    ("country", "enterprise", "vat", "expected"),
    [
        ("BE", "0477472701", "", "0208:0477472701"),
        ("BE", "", "BE0477472701", "0208:0477472701"),
        ("NL", "12345678", "NL004495445B01", "0106:12345678"),
        ("NL", "", "NL004495445B01", "9944:NL004495445B01"),
        ("FR", "", "FR40303265045", None),
        ("BE", "", "", None),
        ("BE", "", "BE 0477.472.701", "0208:0477472701"),  # stored before numbers were checked
        ("BE", "477.472.701", "", "0208:0477472701"),
        ("NL", "", "nl 0044.95.445.b01", "9944:NL004495445B01"),
    ],
)
def test_the_usual_peppol_id_follows_from_the_numbers(country: str, enterprise: str, vat: str, expected: str | None):
    participant = default_participant_id(country, enterprise, vat)

    assert (str(participant) if participant else None) == expected


def test_a_belgian_vat_number_and_enterprise_number_of_two_companies_are_refused():
    ids = BusinessIds("BE", "BE0477472701", "0403.170.701", "")

    with pytest.raises(ValidationError) as raised:
        ids.normalized()

    assert list(raised.value.error_dict) == ["enterprise_number"]
    assert "belongs to enterprise 0477472701" in raised.value.messages[0]


def test_a_nine_digit_belgian_vat_number_is_the_same_company_as_its_enterprise_number():
    ids = BusinessIds("BE", "BE 477.472.701", "0477.472.701", "").normalized()

    assert (ids.vat_number, ids.enterprise_number) == ("BE0477472701", "0477472701")
    assert str(BusinessIds("BE", "BE 477.472.701", "", "").normalized().participant_id) == "0208:0477472701"


def test_every_wrong_field_gets_its_own_message():
    with pytest.raises(ValidationError) as raised:
        BusinessIds("BE", "BE0477472702", "123", "0208:1").normalized()

    assert sorted(raised.value.error_dict) == ["enterprise_number", "peppol_id", "vat_number"]


def test_a_given_peppol_id_wins_over_the_usual_one():
    ids = BusinessIds("BE", "be 0477.472.701", "", "9925:BE0477472701").normalized()

    assert ids == BusinessIds("BE", "BE0477472701", "", "9925:BE0477472701")
    assert str(ids.participant_id) == "9925:BE0477472701"
    assert str(BusinessIds("BE", "BE0477472701", "", "").participant_id) == "0208:0477472701"


@given(st.text(max_size=40), st.sampled_from(["BE", "NL", "FR", "US"]))
def test_any_text_is_stored_or_refused_never_a_crash(text: str, country: str):
    try:
        stored = BusinessIds(country, text, text, text).normalized()
    except ValidationError as exc:
        messages = exc.messages
    else:
        messages = []
        assert stored.normalized() == stored  # what is stored is accepted again as it is
    assert all(isinstance(message, str) and message for message in messages)
