"""Staff see WhatsApp messages, their status history and the uploaded PDFs, and change none of them."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from core.models import Organization
from messaging.models import Message, MessageEvent, PdfAsset
from tests.factories import UserFactory, make_invoice

pytestmark = pytest.mark.django_db


def test_staff_read_messages_and_assets(client: HttpClient, organization: Organization) -> None:
    invoice = make_invoice(organization)
    message = Message.objects.create(
        organization=organization, invoice=invoice, kind="invoice", to="+32470123456", content_sid="HX" + "0" * 32
    )
    MessageEvent.objects.create(message=message, status="sent")
    PdfAsset.objects.create(
        organization=organization, invoice=invoice, public_id="x.pdf", expires_at=invoice.created_at
    )
    client.force_login(UserFactory.create(is_staff=True, is_superuser=True))

    pages = [
        reverse("admin:messaging_message_changelist"),
        reverse("admin:messaging_message_change", args=[message.pk]),
        reverse("admin:messaging_pdfasset_changelist"),
    ]

    for url in pages:
        assert client.get(url).status_code == 200, url
    assert client.post(reverse("admin:messaging_message_delete", args=[message.pk]), {"post": "yes"}).status_code == 403
    assert Message.objects.filter(pk=message.pk).exists()
