"""Another organisation's invoices and their WhatsApp messages are out of reach: a 404."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from core.models import Organization
from invoices.models import Invoice
from messaging import services
from messaging.models import Message
from sandboxes.twilio import TwilioSandbox
from tests.factories import make_client, make_invoice
from tests.messaging.conftest import WHATSAPP_NUMBER

pytestmark = pytest.mark.django_db


@pytest.fixture
def their_invoice(other_organization: Organization) -> Invoice:
    client = make_client(other_organization, preferred_channel="whatsapp", whatsapp_number=WHATSAPP_NUMBER)
    return make_invoice(other_organization, client, sent=False)


def test_another_organisations_invoice_cannot_be_sent_by_whatsapp(
    twilio: TwilioSandbox, owner_client: HttpClient, their_invoice: Invoice
) -> None:
    url = reverse("invoices:invoice_send", args=[their_invoice.pk])

    assert owner_client.get(url).status_code == 404
    assert owner_client.post(url, {"channel": "whatsapp"}).status_code == 404
    assert not Message.objects.exists()
    their_invoice.refresh_from_db()
    assert their_invoice.status == "draft"


def test_another_organisations_messages_are_not_shown(
    twilio: TwilioSandbox, owner_client: HttpClient, organization: Organization, their_invoice: Invoice
) -> None:
    theirs = services.send_invoice_whatsapp(their_invoice)
    mine = make_invoice(organization)

    assert owner_client.get(reverse("invoices:invoice_detail", args=[their_invoice.pk])).status_code == 404
    page = owner_client.get(reverse("invoices:invoice_detail", args=[mine.pk])).content.decode()
    assert "data-invoice-messages" not in page and theirs.to not in page
    assert Message.objects.for_organization(organization).count() == 0
