"""Money, numbers and dates written one way per language, and date fields that read and write
them the page's language's way."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django import forms
from django.utils import translation

from core.formatting import format_date, format_money, format_percent, format_quantity
from core.widgets import LocalDateInput

NBSP = "\u00a0"
DAY = datetime.date(2026, 12, 5)


@pytest.mark.parametrize(
    ("language", "plain", "negative", "signed", "franc"),
    [
        ("en", "€2,518.30", "-€2,518.30", "+€2,518.30", f"CHF{NBSP}-12.00"),
        ("nl", f"€{NBSP}2.518,30", f"€{NBSP}-2.518,30", f"€{NBSP}+2.518,30", f"CHF{NBSP}-12,00"),
        ("fr", f"€{NBSP}2.518,30", f"€{NBSP}-2.518,30", f"€{NBSP}+2.518,30", f"CHF{NBSP}-12,00"),
    ],
)
def test_money_as_each_language_writes_it(language: str, plain: str, negative: str, signed: str, franc: str) -> None:
    with translation.override(language):
        assert format_money(Decimal("2518.3"), "EUR") == plain
        assert format_money(Decimal("-2518.30"), "EUR") == negative
        assert format_money(Decimal("2518.30"), "EUR", signed=True) == signed
        assert format_money(Decimal("0"), "EUR", signed=True) == plain.replace("2,518.30", "0.00").replace(
            "2.518,30", "0,00"
        )
        assert format_money(Decimal("-12"), "CHF") == franc


@pytest.mark.parametrize(
    ("language", "short", "long", "quantity"),
    [
        ("en", "05/12/2026", "5 Dec 2026", "1.5"),
        ("nl", "05-12-2026", "5 december 2026", "1,5"),
        ("fr", "05/12/2026", "5 décembre 2026", "1,5"),
    ],
)
def test_dates_and_numbers(language: str, short: str, long: str, quantity: str) -> None:
    with translation.override(language):
        assert format_date(DAY) == short
        assert format_date(datetime.datetime(2026, 12, 5, 23, 0), "DATE_FORMAT") == long
        assert format_quantity(Decimal("1.500")) == quantity
        assert format_percent(Decimal("21.00")) == f"21{NBSP}%"


class DateForm(forms.Form):
    day = forms.DateField(widget=LocalDateInput())


@pytest.mark.parametrize(
    ("language", "shown", "placeholder"),
    [("en", "05/12/2026", "dd/mm/yyyy"), ("nl", "05-12-2026", "dd-mm-jjjj"), ("fr", "05/12/2026", "jj/mm/aaaa")],
)
def test_a_date_field_writes_and_reads_the_languages_way(language: str, shown: str, placeholder: str) -> None:
    with translation.override(language):
        html = str(DateForm(initial={"day": DAY})["day"])
        assert f'value="{shown}"' in html and 'type="text"' in html
        assert f'placeholder="{placeholder}"' in html
        for typed in (shown, "2026-12-05"):
            form = DateForm({"day": typed})
            assert form.is_valid() and form.cleaned_data["day"] == DAY
        assert not DateForm({"day": "31-02-2026"}).is_valid()


def test_a_structured_reference_wraps_only_after_a_slash_and_stays_escaped():
    from core.templatetags.formatting import breakable_reference

    assert breakable_reference("+++202/6000/00192+++") == "+++202/<wbr>6000/<wbr>00192+++"
    assert breakable_reference("<b>/&") == "&lt;b&gt;/<wbr>&amp;"
