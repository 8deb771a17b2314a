"""WhatsApp in Chromium, on a desktop and a phone, in English, Dutch and French: the owner gives a
Belgian client a WhatsApp number as people type it, sends an invoice by WhatsApp through Twilio's
and Cloudinary's simulators (on 127.0.0.1), and reads on the invoice page what became of it and of
a reminder WhatsApp refused; the recipient of an old PDF link gets a page in their language.
Nothing the browser complains about, nothing wider than the screen."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from pathlib import Path

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from playwright.sync_api import Page, expect

from core.models import Organization, User
from messaging import links, services
from messaging.models import Message, MessageKind, MessageStatus
from sandboxes.twilio import TwilioSandbox
from tests.browser.conftest import SHARED_CONNECTION_TURN, BrowserLog
from tests.browser.test_dashboard_browser import log_in
from tests.browser.test_transactions_browser import WIDTHS, fits_the_screen
from tests.factories import make_client, make_invoice
from tests.messaging import conftest as messaging_fixtures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Twilio's and Cloudinary's simulators served on local ports, and the service's address as they reach it.
site = messaging_fixtures.site
cloudinary = messaging_fixtures.cloudinary
twilio_with_cloudinary = messaging_fixtures.twilio_with_cloudinary

REFUSED = 63024  # WhatsApp: the recipient cannot receive this message


@pytest.mark.parametrize("language", ["en", "nl", "fr"])
@pytest.mark.parametrize("label", list(WIDTHS))
def test_a_client_on_whatsapp_gets_the_invoice_and_the_owner_sees_what_became_of_it(
    label: str,
    language: str,
    page: Page,
    browser_log: BrowserLog,
    organization: Organization,
    owner: User,
    password: str,
    twilio_with_cloudinary: TwilioSandbox,
    run_queued_tasks: Callable[[], list[str]],
    screenshot: Callable[[Page, str], Path],
):
    owner.language = language
    owner.save(update_fields=["language"])
    client = make_client(organization, name="Café De Hoek", language=language, country="BE")
    invoice = make_invoice(organization, client, sent=False)
    page.set_viewport_size({"width": WIDTHS[label], "height": 900})
    log_in(page, owner, password)

    page.goto(reverse("invoices:client_edit", args=[client.pk]))
    page.locator("select[name=preferred_channel]").select_option("whatsapp")
    page.locator("input[name=whatsapp_number]").fill("0470 12")
    page.locator("form.form button[type=submit]").click()
    expect(page.locator("input[name=whatsapp_number][aria-invalid=true]")).to_be_visible()
    screenshot(page, f"client-whatsapp-invalid-{language}-{label}")
    assert fits_the_screen(page), f"the client form with its error is wider than the {label} screen"
    page.locator("input[name=whatsapp_number]").fill("0470 12 34 56")
    screenshot(page, f"client-whatsapp-form-{language}-{label}")
    assert fits_the_screen(page), f"the client form is wider than the {label} screen"
    page.locator("form.form button[type=submit]").click()
    page.wait_for_url(f"**{reverse('invoices:client_detail', args=[client.pk])}")
    client.refresh_from_db()
    assert (client.preferred_channel, client.whatsapp_number) == ("whatsapp", "+32470123456")

    page.goto(reverse("invoices:invoice_send", args=[invoice.pk]))
    card = page.locator("[data-send-whatsapp]")
    expect(card).to_contain_text("+32470123456")
    screenshot(page, f"send-whatsapp-{language}-{label}")
    assert fits_the_screen(page), f"the send screen is wider than the {label} screen"
    card.locator("button[type=submit]").click()
    expect(page.locator(".message-success")).to_contain_text("+32470123456")
    assert "messaging.tasks.deliver" in run_queued_tasks()
    sent = Message.objects.get(invoice=invoice, kind=MessageKind.INVOICE)
    twilio_with_cloudinary.advance(str(sent.provider_sid), "delivered")

    with SHARED_CONNECTION_TURN:  # the schedule's reminder, a week after the due date
        reminder = services.send_reminder_whatsapp(invoice, 7)
    assert "messaging.tasks.deliver" in run_queued_tasks()
    reminder.refresh_from_db()
    twilio_with_cloudinary.fail(str(reminder.provider_sid), error_code=REFUSED)

    page.goto(reverse("invoices:invoice_detail", args=[invoice.pk]))
    history = page.locator("[data-invoice-messages]")
    expect(history.locator("[data-message-status=delivered]")).to_be_visible()
    expect(history.locator("[data-message-status=failed] [data-message-error-code]")).to_contain_text(str(REFUSED))
    expect(history.locator("[data-message-status=failed] [data-message-error]")).not_to_be_empty()
    screenshot(page, f"invoice-messages-{language}-{label}")
    assert fits_the_screen(page), f"the invoice page is wider than the {label} screen"
    assert dict(Message.objects.filter(invoice=invoice).values_list("kind", "status")) == {
        MessageKind.INVOICE: MessageStatus.DELIVERED,
        MessageKind.REMINDER: MessageStatus.FAILED,
    }

    assert not browser_log.problems()

    # A PDF link made eight days ago, opened by the client (not signed in, a phone in their language).
    with time_machine.travel(timezone.now() - datetime.timedelta(days=8)):
        old_link = links.signed_link(invoice)
    page.context.clear_cookies()
    # Their phone speaks their language: Chromium sends the context's locale (en-GB) whatever extra
    # headers say, so the request is given the client's Accept-Language on its way out.
    page.route("**/*", lambda route: route.fallback(headers={**route.request.headers, "accept-language": language}))
    response = page.goto(old_link)
    assert response is not None and response.status == 410
    with translation.override(language):
        expired = gettext("This link has expired")
    assert language == "en" or expired != "This link has expired", f"no {language} words for the expired link"
    expect(page.locator("h1")).to_have_text(expired)
    expect(page.locator("html")).to_have_attribute("lang", language)
    screenshot(page, f"pdf-link-gone-{language}-{label}")
    assert fits_the_screen(page), f"the expired link page is wider than the {label} screen"
    # Chromium reports the page's own 410 as a failed load; nothing else may be wrong.
    gone = f"console error: Failed to load resource: the server responded with a status of 410 (Gone) ({old_link})"
    assert browser_log.problems() == [gone]
