"""Finds text in our templates that a translator never sees: words outside `{% translate %}`
and `{% blocktranslate %}`, in the page or in an attribute a person reads.

Used by the translation checks in CI (tests/core/test_translations.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from django.template.base import Lexer, TokenType

# Attributes whose value a person reads or hears.
READ_ATTRIBUTES = frozenset({"title", "placeholder", "aria-label", "alt", "data-confirm", "label"})
# Names and codes that are written the same in every language.
SAME_IN_EVERY_LANGUAGE = re.compile(
    r"\b(Smart Invoice|Peppol|Ponto|Yuki|IBAN|BIC|PDF|CSV|XML|UBL|JSON|EPC|QR|ID|EUR|USD|GBP|CHF|OAuth|"
    r"Bancontact|iDEAL|BIS|API|KBO|BCE|NL|FR|EN|English|Nederlands|Français|Google|SEPA|URL|"
    r"e-invoice\.be|www|https?|MB|kB|px)\b"
)
WORD = re.compile(r"[^\W\d_]{2,}")
# The content of these tags is not text for a reader.
SKIPPED_ELEMENTS = frozenset({"script", "style", "code", "pre"})
# What a tag or a variable becomes: a space keeps `<td{% if … %} class="x"{% endif %}>` a tag.
GAP = " "


@dataclass(frozen=True)
class UntranslatedText:
    template: str
    line: int
    text: str

    def __str__(self) -> str:
        return f"{self.template}:{self.line}: {self.text!r}"


def _without_translated_blocks(source: str) -> list[tuple[str, int]]:
    """The template as (html, line) pieces, with every tag and variable replaced by a gap and
    the inside of blocktranslate, comment and verbatim blocks left out."""
    pieces: list[tuple[str, int]] = []
    skipping: str | None = None
    for token in Lexer(source).tokenize():
        if token.token_type == TokenType.BLOCK:
            name = token.contents.split()[0] if token.contents.split() else ""
            if skipping is None and name in ("blocktranslate", "blocktrans", "comment", "verbatim"):
                skipping = "end" + name
            elif skipping is not None and name == skipping:
                skipping = None
            pieces.append((GAP, token.lineno or 0))
        elif skipping is None and token.token_type == TokenType.TEXT:
            pieces.append((token.contents, token.lineno or 0))
        elif skipping is None:
            pieces.append((GAP, token.lineno or 0))
    return pieces


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str]] = []
        self._skipped_depth = 0
        self.line_offset = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIPPED_ELEMENTS:
            self._skipped_depth += 1
        for name, value in attrs:
            if value and name in READ_ATTRIBUTES:
                self._keep(value)
            if value and name == "value" and ("type", "submit") in attrs:
                self._keep(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIPPED_ELEMENTS and self._skipped_depth:
            self._skipped_depth -= 1

    def handle_data(self, data: str) -> None:
        if not self._skipped_depth:
            self._keep(data)

    def _keep(self, text: str) -> None:
        self.found.append((self.getpos()[0], text))


def untranslated_text(path: Path, root: Path) -> Iterator[UntranslatedText]:
    source = path.read_text()
    if path.suffix == ".txt":
        # A plain-text email: every line is read.
        collector_found = [(lineno, text) for text, lineno in _without_translated_blocks(source)]
    else:
        html = "".join(piece for piece, _ in _without_translated_blocks(source))
        collector = _TextCollector()
        collector.feed(html)
        collector.close()
        collector_found = collector.found
    for line, text in collector_found:
        if WORD.search(SAME_IN_EVERY_LANGUAGE.sub(" ", text)):
            yield UntranslatedText(str(path.relative_to(root)), line, " ".join(text.split()))
