"""Something between us and Twilio (a proxy, a captive portal) answering a page instead of Twilio's
JSON: the message is tried again like after a timeout, and failed after TWILIO_MAX_ATTEMPTS, never
left waiting for ever; asking for a status, the run goes on and asks again next time."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone
from pytest_django.fixtures import Settings as SettingsWrapper

from invoices.models import Invoice
from messaging import services
from messaging.models import Message, MessageStatus
from sandboxes.twilio import TwilioSandbox

pytestmark = pytest.mark.django_db


class _HtmlPage(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.do_POST()

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        body = b"<html><body>Please sign in to the network</body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def portal(twilio: TwilioSandbox, settings: SettingsWrapper) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _HtmlPage)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_page_instead_of_twilios_answer_is_tried_again_then_failed(
    portal: str, draft_invoice: Invoice, settings: SettingsWrapper
) -> None:
    settings.TWILIO_API_URL = portal
    settings.TWILIO_MAX_ATTEMPTS = 2
    message = services.send_invoice_whatsapp(draft_invoice)

    first = services.deliver(message.pk)
    second = services.deliver(message.pk)

    message.refresh_from_db()
    assert first == MessageStatus.PENDING and message.attempts == 2
    assert second == MessageStatus.FAILED == message.status and "2 attempts" in message.error_message
    assert Message.objects.pending().count() == 0


def test_a_page_instead_of_a_status_leaves_the_message_to_be_asked_about_next_time(
    twilio: TwilioSandbox, portal: str, draft_invoice: Invoice, settings: SettingsWrapper
) -> None:
    message = services.send_invoice_whatsapp(draft_invoice)
    assert services.deliver(message.pk) == MessageStatus.QUEUED
    settings.TWILIO_API_URL = portal

    assert services.follow_unsettled(timezone.now() + services.FOLLOW_AFTER) == 1

    message.refresh_from_db()
    assert message.status == MessageStatus.QUEUED
