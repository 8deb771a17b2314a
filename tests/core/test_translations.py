"""The checks that keep the app in Dutch and French: every template string goes through the
catalogue, the catalogue holds every string of the code, and every entry is translated."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import polib
import pytest
from django.core.management import call_command
from django.test import override_settings

from core.i18n.templates import untranslated_text

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = ("nl", "fr")
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]")
# What makemessages reads (the Makefile's MESSAGES_ARGS).
IGNORED = ["tests", "sandboxes", "bench", "staticfiles", "artifacts", "node_modules", "locale"]


def catalogue(language: str) -> polib.POFile:
    return polib.pofile(str(ROOT / "locale" / language / "LC_MESSAGES" / "django.po"))


def template_files() -> list[Path]:
    return sorted(path for path in (ROOT / "templates").rglob("*") if path.suffix in (".html", ".txt"))


def test_every_template_string_goes_through_the_catalogue() -> None:
    untranslated = [str(found) for path in template_files() for found in untranslated_text(path, ROOT)]
    assert not untranslated, "Wrap these in {% translate %} or {% blocktranslate %}:\n" + "\n".join(untranslated)


def test_the_check_finds_a_bare_string(tmp_path: Path) -> None:
    template = tmp_path / "templates" / "page.html"
    template.parent.mkdir()
    template.write_text(
        '{% load i18n %}<h1>{% translate "Invoices" %}</h1>\n<p title="Open it">{{ name }}</p>\n'
        "{% blocktranslate %}Hello {{ name }}{% endblocktranslate %}<script>let a = 'b';</script>\n"
        '<td{% if x %} class="number"{% endif %}>Due</td>'
    )
    found = [(item.line, item.text) for item in untranslated_text(template, tmp_path)]
    assert found == [(2, "Open it"), (4, "Due")]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_entry_is_translated_with_the_same_placeholders(language: str) -> None:
    problems = []
    for entry in catalogue(language):
        if entry.obsolete:
            continue
        if "fuzzy" in entry.flags or not entry.translated():
            problems.append(f"untranslated: {entry.msgid!r}")
            continue
        translations = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        expected = sorted(set(PLACEHOLDER.findall(entry.msgid + (entry.msgid_plural or ""))))
        for translation in translations:
            if sorted(set(PLACEHOLDER.findall(translation))) != expected and not (
                entry.msgid_plural and set(PLACEHOLDER.findall(translation)) <= set(expected)
            ):
                problems.append(f"placeholders differ: {entry.msgid!r} → {translation!r}")
    assert not problems, f"locale/{language}: " + "\n".join(problems)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_compiled_catalogue_is_the_current_one(language: str) -> None:
    with (ROOT / "locale" / language / "LC_MESSAGES" / "django.mo").open("rb") as compiled:
        translations = gettext.GNUTranslations(compiled)
    stale = []
    for entry in catalogue(language):
        if entry.obsolete or not entry.translated():
            continue
        if entry.msgid_plural:
            shown = translations.ngettext(entry.msgid, entry.msgid_plural, 2)
            expected = entry.msgstr_plural[max(entry.msgstr_plural)]
        elif entry.msgctxt:
            shown, expected = translations.pgettext(entry.msgctxt, entry.msgid), entry.msgstr
        else:
            shown, expected = translations.gettext(entry.msgid), entry.msgstr
        if shown != expected:
            stale.append(entry.msgid)
    assert not stale, f"run `make messages` (locale/{language}/LC_MESSAGES/django.mo is stale): {stale[:10]}"


def test_the_catalogue_holds_every_string_of_the_code(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # makemessages writes beside any locale/ folder it sees, so it reads the code through links
    # from a folder without one and writes into a catalogue of its own.
    code = tmp_path / "code"
    code.mkdir()
    for item in ROOT.iterdir():
        if item.name not in IGNORED and not item.name.startswith("."):
            (code / item.name).symlink_to(item)
    monkeypatch.chdir(code)
    with override_settings(LOCALE_PATHS=[tmp_path / "locale"]):
        call_command(
            "makemessages",
            locale=["nl"],
            ignore_patterns=IGNORED,
            symlinks=True,
            no_location=True,
            no_obsolete=True,
            verbosity=0,
        )
    extracted = polib.pofile(str(tmp_path / "locale" / "nl" / "LC_MESSAGES" / "django.po"))
    ours = {(entry.msgctxt, entry.msgid) for entry in catalogue("nl") if not entry.obsolete}
    missing = sorted(entry.msgid for entry in extracted if (entry.msgctxt, entry.msgid) not in ours)
    assert len(extracted) > 100
    assert not missing, "run `make messages` and translate: " + "\n".join(missing[:30])
