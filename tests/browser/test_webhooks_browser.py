"""The webhook settings in Chromium, on a desktop and a phone, in English, Dutch and French: an
admin adds an endpoint, sees its secret once, sends a test event and reads the delivery log.
Nothing the browser complains about (console errors, CSP violations), nothing wider than the
screen."""

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
from webhooks.models import WebhookDelivery, WebhookEndpoint

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("language", ["en", "nl", "fr"])
@pytest.mark.parametrize("label", list(WIDTHS))
def test_add_an_endpoint_see_its_secret_and_send_a_test(
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
    page.goto(reverse("webhooks:endpoint_create"))
    page.locator("input[name=url]").fill("http://127.0.0.1:8999/smart-invoice")  # a local receiver: DEBUG allows it
    page.locator("input[name=description]").fill("n8n")
    page.locator("input[name=events][value='invoice.paid']").check()
    page.locator("input[name=events][value='payment.received']").check()
    screenshot(page, f"webhook-form-{language}-{label}")
    assert fits_the_screen(page), f"the webhook form is wider than the {label} screen"
    page.locator("form.form button[type=submit]").click()
    expect(page.locator("#webhook-secret")).to_contain_text("whsec_")
    screenshot(page, f"webhook-secret-{language}-{label}")
    assert fits_the_screen(page), f"the secret page is wider than the {label} screen"

    endpoint = WebhookEndpoint.objects.get(organization__memberships__user=owner)
    page.goto(endpoint.get_absolute_url())
    page.locator("form[action$='/test/'] button").click()
    expect(page.locator(".message-success")).to_be_visible()
    assert WebhookDelivery.objects.filter(endpoint=endpoint).count() == 1
    screenshot(page, f"webhook-detail-{language}-{label}")
    assert fits_the_screen(page), f"the endpoint's page is wider than the {label} screen"
    page.goto(reverse("webhooks:endpoint_list"))
    expect(page.get_by_text("127.0.0.1:8999/smart-invoice")).to_be_visible()
    screenshot(page, f"webhook-list-{language}-{label}")
    assert fits_the_screen(page), f"the webhooks list is wider than the {label} screen"
    assert not browser_log.problems()
