"""The API keys settings and the API reference in Chromium, on a desktop and a phone, in English,
Dutch and French: a key is created and shown once, then revoked; the reference draws every
operation from our own static files. Nothing the browser complains about (console errors, CSP
violations), nothing wider than the screen."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from core.models import User
from tests.browser.conftest import BrowserLog
from tests.browser.test_dashboard_browser import log_in
from tests.browser.test_transactions_browser import WIDTHS, fits_the_screen

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CREATE = {"en": "Create key", "nl": "Sleutel aanmaken", "fr": "Créer la clé"}
REVOKE = {"en": "Revoke", "nl": "Intrekken", "fr": "Révoquer"}


@pytest.mark.parametrize("language", ["en", "nl", "fr"])
@pytest.mark.parametrize("label", list(WIDTHS))
def test_create_show_once_and_revoke_a_key(
    label: str,
    language: str,
    page: Page,
    browser_log: BrowserLog,
    owner: User,
    password: str,
    screenshot: Callable[[Page, str], Path],
):
    owner.language = language
    owner.save(update_fields=["language"])
    page.set_viewport_size({"width": WIDTHS[label], "height": 900})
    log_in(page, owner, password)
    page.goto(reverse("api_keys"))
    page.locator("input[name=name]").fill("n8n")
    page.locator("input[name=scope][value=write]").check()
    page.get_by_role("button", name=CREATE[language]).click()
    token = page.locator("#new-api-key")
    expect(token).to_contain_text("sik_")
    screenshot(page, f"api-keys-created-{language}-{label}")
    assert fits_the_screen(page), f"the API keys screen is wider than the {label} screen"
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name=REVOKE[language]).click()
    expect(page.locator(".message-success")).to_be_visible()
    expect(page.locator("#new-api-key")).to_have_count(0)
    screenshot(page, f"api-keys-revoked-{language}-{label}")
    assert not browser_log.problems()


@pytest.mark.parametrize("label", list(WIDTHS))
def test_the_reference_draws_the_schema(
    label: str, page: Page, browser_log: BrowserLog, screenshot: Callable[[Page, str], Path]
):
    page.set_viewport_size({"width": WIDTHS[label], "height": 900})
    page.goto(reverse("api:reference"))
    expect(page.locator(".opblock-tag-section").first).to_be_visible(timeout=15_000)
    expect(page.get_by_text("/api/v1/invoices/", exact=True).first).to_be_attached()
    screenshot(page, f"api-reference-{label}")
    assert not browser_log.problems()
