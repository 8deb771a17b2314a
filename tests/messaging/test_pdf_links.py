"""Expiring links to an invoice's PDF: Cloudinary's signed download link (its simulator on a real
local socket) that works, then expires by the simulator's clock, and whose asset the cleanup
destroys; and, without Cloudinary, our own signed link that works, then expires (410), and is refused
when forged or naming another organisation's invoice (404)."""

from __future__ import annotations

import datetime
import urllib.error
import urllib.request

import pytest
import time_machine
from django.test import Client as HttpClient
from django.utils import timezone
from pytest_django.fixtures import Settings as SettingsWrapper

from core.models import Organization
from invoices import pdf
from invoices.models import Client, Invoice
from messaging import links, services
from messaging.models import Message, MessageStatus, PdfAsset
from sandboxes.cloudinary import CloudinarySandbox
from sandboxes.twilio import TwilioSandbox
from tests.factories import make_invoice

pytestmark = pytest.mark.django_db

WEEK = 7 * 24 * 3600


def fetch(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - a local simulator
            return response.status, response.headers.get_content_type(), response.read()
    except urllib.error.HTTPError as error:
        error.close()
        return error.code, "", b""


def path_of(url: str, settings: SettingsWrapper) -> str:
    assert url.startswith(settings.SITE_URL)
    return url[len(settings.SITE_URL) :]


# --- without Cloudinary: our own signed link ---------------------------------------------------


@pytest.fixture
def no_cloudinary(settings: SettingsWrapper) -> None:
    settings.CLOUDINARY_CLOUD_NAME = settings.CLOUDINARY_API_KEY = settings.CLOUDINARY_API_SECRET = ""


@pytest.mark.usefixtures("no_cloudinary")
def test_our_link_serves_the_pdf_without_login_until_it_expires(
    client: HttpClient, draft_invoice: Invoice, settings: SettingsWrapper
) -> None:
    invoice = make_invoice(draft_invoice.organization, draft_invoice.client)
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        url = path_of(links.pdf_link(invoice), settings)

        fresh = client.get(url)
        traveller.shift(datetime.timedelta(seconds=WEEK - 60))
        late = client.get(url)
        traveller.shift(datetime.timedelta(seconds=120))
        expired = client.get(url)

    assert fresh.status_code == late.status_code == 200
    assert fresh["Content-Type"] == "application/pdf" and fresh.content.startswith(b"%PDF")
    assert fresh["Content-Disposition"] == f'inline; filename="{pdf.invoice_file_name(invoice)}"'
    assert expired.status_code == 410 and "This link has expired" in expired.content.decode()


@pytest.mark.usefixtures("no_cloudinary")
def test_a_forged_or_cut_link_is_refused_with_a_page(
    client: HttpClient, draft_invoice: Invoice, settings: SettingsWrapper
) -> None:
    invoice = make_invoice(draft_invoice.organization, draft_invoice.client)
    url = path_of(links.pdf_link(invoice), settings)
    token = url.split("/")[3]
    forged = url.replace(token, token[:-2] + ("AA" if not token.endswith("AA") else "BB"))

    for bad in (forged, url.replace(token, "nothing"), url.replace(token, token[:10])):
        answer = client.get(bad)
        assert answer.status_code == 404, bad
        assert "This link does not work" in answer.content.decode()


@pytest.mark.usefixtures("no_cloudinary")
def test_a_link_never_serves_a_draft_or_a_deleted_invoice(
    client: HttpClient, draft_invoice: Invoice, settings: SettingsWrapper
) -> None:
    draft_url = path_of(links.pdf_link(draft_invoice), settings)
    deleted = make_invoice(draft_invoice.organization, draft_invoice.client)
    deleted_url = path_of(links.pdf_link(deleted), settings)
    Invoice.all_objects.filter(pk=deleted.pk).update(is_active=False)

    assert client.get(draft_url).status_code == 404
    assert client.get(deleted_url).status_code == 404


@pytest.mark.usefixtures("no_cloudinary")
def test_the_link_is_rate_limited(client: HttpClient, draft_invoice: Invoice, settings: SettingsWrapper) -> None:
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "pdf_link": "2/m"}
    url = path_of(links.pdf_link(draft_invoice), settings)

    statuses = [client.get(url).status_code for _ in range(3)]

    assert statuses[-1] == 429


# --- Cloudinary --------------------------------------------------------------------------------


def test_a_cloudinary_link_serves_the_private_pdf_until_it_expires(
    cloudinary: CloudinarySandbox, organization: Organization, whatsapp_client: Client, settings: SettingsWrapper
) -> None:
    invoice = make_invoice(organization, whatsapp_client)

    url = links.pdf_link(invoice)

    asset = PdfAsset.objects.get()
    assert url.startswith(f"{settings.CLOUDINARY_API_URL}/v1_1/") and "/raw/download?" in url
    stored = cloudinary.assets
    assert [(a.public_id, a.type, a.resource_type) for a in stored] == [(asset.public_id, "private", "raw")]
    assert asset.public_id.endswith(".pdf") and asset.invoice == invoice
    status, content_type, body = fetch(url)
    assert status == 200 and content_type == "application/pdf" and body.startswith(b"%PDF")

    cloudinary.clock.advance(WEEK - 60)
    assert fetch(url)[0] == 200
    cloudinary.clock.advance(120)
    assert fetch(url)[0] == 401  # Cloudinary's answer to an expired link


def test_the_cleanup_destroys_each_asset_once_its_link_expired(
    cloudinary: CloudinarySandbox, organization: Organization, whatsapp_client: Client
) -> None:
    links.pdf_link(make_invoice(organization, whatsapp_client))
    asset = PdfAsset.objects.get()

    assert links.destroy_expired_assets() == 0  # not expired yet
    # A week on, here and at Cloudinary (whose clock is this process's).
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=WEEK + 1)):
        assert links.destroy_expired_assets() == 1
        assert links.destroy_expired_assets() == 0  # each destroyed once

    assert cloudinary.assets == []
    asset.refresh_from_db()
    assert asset.destroyed_at is not None


def test_an_asset_already_gone_at_cloudinary_counts_as_destroyed(
    cloudinary: CloudinarySandbox, organization: Organization, whatsapp_client: Client
) -> None:
    links.pdf_link(make_invoice(organization, whatsapp_client))
    asset = PdfAsset.objects.get()
    cloudinary.destroy("raw", "private", asset.public_id)
    PdfAsset.objects.update(expires_at=timezone.now())

    assert links.destroy_expired_assets() == 1


def test_cloudinary_refusing_the_upload_leaves_the_message_for_the_next_try(
    twilio_with_cloudinary: TwilioSandbox, cloudinary: CloudinarySandbox, draft_invoice: Invoice
) -> None:
    cloudinary.faults.add({"kind": "500", "path": "/v1_1"})
    message = services.send_invoice_whatsapp(draft_invoice)

    assert services.deliver(message.pk) == MessageStatus.PENDING
    assert not twilio_with_cloudinary.messages and cloudinary.assets == []

    assert services.deliver(message.pk) == MessageStatus.QUEUED


@pytest.mark.django_db(transaction=True)
def test_whatsapp_carries_the_cloudinary_link_and_twilio_fetches_the_pdf(
    twilio_with_cloudinary: TwilioSandbox, cloudinary: CloudinarySandbox, draft_invoice: Invoice
) -> None:
    message = services.send_invoice_whatsapp(draft_invoice)
    services.deliver(message.pk)
    message = Message.objects.get(pk=message.pk)

    twilio_with_cloudinary.advance(str(message.provider_sid), "delivered")

    sent = twilio_with_cloudinary.message(str(message.provider_sid))
    assert sent.content_variables["5"].startswith(f"{cloudinary.cloud_name}/raw/download?")
    fetched = sent.media_fetches[0]
    assert fetched.status == 200 and fetched.content_type == "application/pdf"
    message.refresh_from_db()
    assert message.status == MessageStatus.DELIVERED
