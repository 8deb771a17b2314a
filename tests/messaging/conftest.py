"""Twilio's and Cloudinary's simulators on real local sockets, the service served live so Twilio's
status callbacks and media fetches reach it, and a client who prefers WhatsApp."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytest_django.fixtures import Settings as SettingsWrapper

from core.models import Organization
from invoices.models import Client, Invoice
from sandboxes import cloudinary as cloudinary_sandbox
from sandboxes import twilio as twilio_sandbox
from tests import live_site
from tests.factories import make_client, make_invoice

# The service served live, as the providers call it back.
live_server = live_site.live_server
site = live_site.site

WHATSAPP_NUMBER = "+32470123456"


def use_twilio(settings: SettingsWrapper, base_url: str) -> None:
    settings.TWILIO_API_URL = f"{base_url}{twilio_sandbox.PREFIX}"
    settings.TWILIO_ACCOUNT_SID = twilio_sandbox.ACCOUNT_SID
    settings.TWILIO_AUTH_TOKEN = twilio_sandbox.AUTH_TOKEN
    settings.TWILIO_WHATSAPP_FROM = twilio_sandbox.WHATSAPP_FROM
    settings.TWILIO_CONTENT_SID_INVOICE = twilio_sandbox.CONTENT_SIDS["invoice"]
    settings.TWILIO_CONTENT_SID_REMINDER = twilio_sandbox.CONTENT_SIDS["reminder"]
    settings.TWILIO_TIMEOUT_SECONDS = 2.0
    settings.TWILIO_MEDIA_URL_PREFIX = ""


@pytest.fixture
def twilio(site: str, settings: SettingsWrapper) -> Iterator[twilio_sandbox.TwilioSandbox]:
    """Twilio, with templates whose media URL starts with our own address (no Cloudinary)."""
    sandbox = twilio_sandbox.TwilioSandbox(media_url_prefix=f"{site}/")
    server, base_url = twilio_sandbox.serve(sandbox)
    use_twilio(settings, base_url)
    settings.CLOUDINARY_CLOUD_NAME = settings.CLOUDINARY_API_KEY = settings.CLOUDINARY_API_SECRET = ""
    yield sandbox
    server.shutdown()


@pytest.fixture
def whatsapp_client(organization: Organization) -> Client:
    return make_client(
        organization, name="Café De Hoek", language="nl", preferred_channel="whatsapp", whatsapp_number=WHATSAPP_NUMBER
    )


@pytest.fixture
def draft_invoice(organization: Organization, whatsapp_client: Client) -> Invoice:
    return make_invoice(organization, whatsapp_client, sent=False)


@pytest.fixture
def cloudinary(settings: SettingsWrapper) -> Iterator[cloudinary_sandbox.CloudinarySandbox]:
    sandbox = cloudinary_sandbox.CloudinarySandbox()
    server, base_url = cloudinary_sandbox.serve(sandbox)
    settings.CLOUDINARY_CLOUD_NAME = cloudinary_sandbox.CLOUD_NAME
    settings.CLOUDINARY_API_KEY = cloudinary_sandbox.API_KEY
    settings.CLOUDINARY_API_SECRET = cloudinary_sandbox.API_SECRET
    settings.CLOUDINARY_API_URL = f"{base_url}{cloudinary_sandbox.PREFIX}"
    settings.CLOUDINARY_TIMEOUT_SECONDS = 5
    yield sandbox
    server.shutdown()


@pytest.fixture
def twilio_with_cloudinary(
    site: str, settings: SettingsWrapper, cloudinary: cloudinary_sandbox.CloudinarySandbox
) -> Iterator[twilio_sandbox.TwilioSandbox]:
    """Twilio, with templates whose media URL starts as Cloudinary's download links do."""
    sandbox = twilio_sandbox.TwilioSandbox(media_url_prefix=f"{settings.CLOUDINARY_API_URL}/v1_1/")
    server, base_url = twilio_sandbox.serve(sandbox)
    use_twilio(settings, base_url)
    yield sandbox
    server.shutdown()
