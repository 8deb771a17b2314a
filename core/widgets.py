"""A date field written the way the page's language writes dates (05-12-2026 in Dutch,
05/12/2026 in French and English), whatever language the browser itself speaks.

A native `<input type="date">` shows the browser's own format, so a Dutch page in an English
browser asked for 12/05/2026. This is a text field: its value is rendered with the active
language's first DATE_INPUT_FORMATS entry (config/formats), and read back with all of them, ISO
(2026-12-05) included.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import formats
from django.utils.translation import gettext

_PARTS = {"%d": "dd", "%m": "mm", "%Y": "yyyy"}


def date_pattern() -> str:
    """The active language's date format for a person: "dd-mm-jjjj", "jj/mm/aaaa", "dd/mm/yyyy"."""
    pattern = str(formats.get_format("DATE_INPUT_FORMATS")[0])
    words = {
        # Translators: the letters for day, month and year in a date placeholder (dd-mm-yyyy).
        "dd": gettext("dd"),
        "mm": gettext("mm"),
        "yyyy": gettext("yyyy"),
    }
    for code, part in _PARTS.items():
        pattern = pattern.replace(code, words[part])
    return pattern


class LocalDateInput(forms.DateInput):
    input_type = "text"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs={"autocomplete": "off", "size": 10, **(attrs or {})}, format=None)

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        widget_attrs = context["widget"]["attrs"]
        widget_attrs.setdefault("placeholder", date_pattern())
        widget_attrs.setdefault("title", gettext("A date as %(pattern)s") % {"pattern": date_pattern()})
        return context
