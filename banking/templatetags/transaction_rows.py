"""The transactions screen's rows: each row's category <select> marks its own category in an
option list built once for the page, rather than looping over every category in every row."""

from __future__ import annotations

from collections.abc import Iterable

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


def category_options(categories: Iterable[str], blank_label: str) -> SafeString:
    """Every category as an <option> (escaped), after the blank one."""
    blank = format_html('<option value="">{}</option>', blank_label)
    return blank + format_html_join("", '<option value="{}">{}</option>', ((name, name) for name in categories))


@register.filter
def selecting(options: SafeString, category: str) -> SafeString:
    """`options` (from `category_options`) with `category`'s option selected; unchanged when it
    is blank or not among them."""
    if not category:
        return options
    option = str(format_html('<option value="{}">', category))
    return mark_safe(options.replace(option, option[:-1] + " selected>", 1))  # noqa: S308  (escaped above)
