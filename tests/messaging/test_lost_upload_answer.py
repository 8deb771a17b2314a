"""An upload Cloudinary stored but whose answer never reached us (a timeout, a dropped connection)
is still destroyed once its link would have expired: an invoice's PDF is never left behind."""

from __future__ import annotations

import datetime
import threading
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import time_machine
from django.utils import timezone
from pytest_django.fixtures import Settings as SettingsWrapper

from core.models import Organization
from invoices.models import Client
from messaging import links
from messaging.models import PdfAsset
from sandboxes.cloudinary import PREFIX, CloudinarySandbox
from tests.factories import make_invoice

pytestmark = pytest.mark.django_db


def _answer_lost(origin: str) -> type[BaseHTTPRequestHandler]:
    class Forwarder(BaseHTTPRequestHandler):
        """Passes the request on to Cloudinary, then hangs up instead of passing the answer back."""

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            headers = {"Content-Type": self.headers.get("Content-Type", "")}
            request = urllib.request.Request(origin + self.path, data=body, headers=headers, method="POST")  # noqa: S310
            with urllib.request.urlopen(request, timeout=5):  # noqa: S310 - a local simulator
                pass
            self.close_connection = True

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Forwarder


@pytest.fixture
def lost_answers(cloudinary: CloudinarySandbox, settings: SettingsWrapper) -> Iterator[str]:
    """Cloudinary's answers to uploads are lost; yields Cloudinary's own address."""
    direct = settings.CLOUDINARY_API_URL
    origin = direct.removesuffix(PREFIX)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _answer_lost(origin))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.CLOUDINARY_API_URL = f"http://127.0.0.1:{server.server_address[1]}{PREFIX}"
    yield direct
    server.shutdown()
    server.server_close()


def test_an_upload_whose_answer_was_lost_is_destroyed_after_expiry(
    lost_answers: str,
    cloudinary: CloudinarySandbox,
    organization: Organization,
    whatsapp_client: Client,
    settings: SettingsWrapper,
) -> None:
    with pytest.raises(links.LinkUnavailable):
        links.pdf_link(make_invoice(organization, whatsapp_client))
    assert len(cloudinary.assets) == 1  # Cloudinary has it, though we never heard so

    settings.CLOUDINARY_API_URL = lost_answers  # the network is back for the cleanup
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=settings.PDF_LINK_TTL_SECONDS + 1)):
        links.destroy_expired_assets()

    assert cloudinary.assets == []
    assert PdfAsset.objects.get().destroyed_at is not None
