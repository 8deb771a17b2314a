"""Belgian structured communication on our invoices: generated with mod-97 check digits."""

from __future__ import annotations

import pytest

from invoices.references import format_reference, make_reference


def test_check_digits_are_the_remainder_by_97():
    assert make_reference(1234567890) == "123456789002"  # 1234567890 % 97 == 2
    assert make_reference(97) == "000000009797"  # a remainder of 0 is written 97
    assert make_reference(1) == "000000000101"


@pytest.mark.parametrize("base", [0, 10**10])
def test_a_base_of_more_than_ten_digits_or_zero_is_refused(base: int):
    with pytest.raises(ValueError, match="at most ten digits"):
        make_reference(base)


def test_format_groups_three_four_five():
    assert format_reference("123456789002") == "+++123/4567/89002+++"
