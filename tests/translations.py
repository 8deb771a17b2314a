"""What of our English catalogue is still showing on a page, an email or a PDF rendered in
Dutch or French: the strings a translator has but the code did not pass through gettext."""

from __future__ import annotations

import re
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w*\}")


@cache
def english_phrases(language: str) -> tuple[tuple[str, re.Pattern[str]], ...]:
    """Each English phrase of the catalogue that reads differently in `language`: the literal
    parts of a msgid between its placeholders, long enough not to be a word of the translation."""
    catalogue = polib.pofile(str(ROOT / "locale" / language / "LC_MESSAGES" / "django.po"))
    phrases: dict[str, re.Pattern[str]] = {}
    for entry in catalogue:
        if entry.obsolete or entry.msgid_plural or not entry.msgstr:
            continue
        for part in PLACEHOLDER.split(entry.msgid):
            part = " ".join(part.split()).strip(" .,:;()·—-")
            words = re.findall(r"[^\W\d_]+", part)
            if len(words) < 2 or len(part) < 10 or part in entry.msgstr:
                continue
            phrases[part] = re.compile(r"(?<!\w)" + re.escape(part) + r"(?!\w)")
    return tuple(phrases.items())


class _VisibleText(HTMLParser):
    """The text a reader of the page's language sees; an element marked with another `lang`
    (an email previewed in the client's language) is not the page's to translate."""

    def __init__(self, language: str | None) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0
        self._language = language
        self._foreign_tag: str | None = None
        self._foreign_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        lang = dict(attrs).get("lang")
        if self._foreign_tag == tag:
            self._foreign_depth += 1
        elif self._foreign_tag is None and tag != "html" and lang and self._language and lang != self._language:
            self._foreign_tag, self._foreign_depth = tag, 1
        if tag in ("script", "style", "template"):
            self._hidden += 1
        for name, value in attrs:
            if value and name in ("title", "placeholder", "aria-label", "alt") and self._foreign_tag is None:
                self.parts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "template") and self._hidden:
            self._hidden -= 1
        if tag == self._foreign_tag:
            self._foreign_depth -= 1
            if not self._foreign_depth:
                self._foreign_tag = None

    def handle_data(self, data: str) -> None:
        if not self._hidden and self._foreign_tag is None:
            self.parts.append(data)


def visible_text(html: str, language: str | None = None) -> str:
    parser = _VisibleText(language)
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def english_left_in(text: str, language: str) -> list[str]:
    text = " ".join(text.split())
    return [phrase for phrase, pattern in english_phrases(language) if pattern.search(text)]
