"""Received e-invoices as a user sees them, and as the webhook brings them: the list and the
detail with its check, lines and bill, the original XML and PDF, another organisation's never."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from banking.models import ReceivedDocument
from core.formatting import format_money
from core.models import Organization
from invoices import tasks
from invoices.einvoicing.receiving import receive_document
from tests.invoices.einvoicing.test_incoming_parse import PDF, with_pdf
from tests.invoices.einvoicing.test_receiving import (  # noqa: F401 - the fixtures
    INVOICE_XML,
    access_point,
    deliver,
    receiver,
)

pytestmark = pytest.mark.django_db


def test_a_received_webhook_stores_the_document_once(access_point, receiver):  # noqa: F811
    [document_id] = deliver(access_point, name="invoice-21-6")

    assert tasks.einvoice_document_changed(document_id, "document.received") == "stored"
    assert tasks.einvoice_document_changed(document_id, "document.received") == "duplicate"
    assert tasks.einvoice_document_changed(document_id, "document.sent") == "not ours"
    assert ReceivedDocument.objects.filter(document_id=document_id).count() == 1


def test_the_pages_show_the_document_its_check_and_its_files(access_point, receiver, owner_client: Client):  # noqa: F811
    [document_id] = deliver(access_point, ubl=with_pdf(INVOICE_XML))
    received = receive_document(document_id).received
    assert received is not None

    listing = owner_client.get(reverse("invoices:received_list")).content.decode()
    detail = owner_client.get(reverse("invoices:received_detail", args=[received.pk])).content.decode()
    xml = owner_client.get(reverse("invoices:received_xml", args=[received.pk]))
    pdf = owner_client.get(reverse("invoices:received_pdf", args=[received.pk]))

    assert "Drukkerij Peeters BV" in listing and "DP-2026-0117" in listing and f"{format_money(537)} open" in listing
    assert "Brochures A5, vierkleurendruk" in detail and "Passes the rules" in detail
    assert b"".join(xml.streaming_content) == with_pdf(INVOICE_XML)  # type: ignore[attr-defined]
    assert xml["Content-Disposition"].startswith("attachment;") and pdf["Content-Disposition"].startswith("attachment;")
    assert pdf["Content-Type"] == "application/pdf" and b"".join(pdf.streaming_content) == PDF  # type: ignore[attr-defined]


def test_another_organisations_received_document_is_not_found(access_point, receiver, owner_client: Client):  # noqa: F811
    [document_id] = deliver(access_point, name="invoice-21-6")
    received = receive_document(document_id).received
    assert received is not None
    ReceivedDocument.objects.filter(pk=received.pk).update(organization=Organization.objects.create(name="Other BV"))

    for name in ("invoices:received_detail", "invoices:received_xml", "invoices:received_pdf"):
        assert owner_client.get(reverse(name, args=[received.pk])).status_code == 404
    assert "Drukkerij" not in owner_client.get(reverse("invoices:received_list")).content.decode()


def test_a_repeat_is_shown_as_one_without_a_bill(access_point, receiver, owner_client: Client):  # noqa: F811
    first, resent = deliver(access_point, name="invoice-21-6", copies=2)
    original = receive_document(first).received
    repeat = receive_document(resent).received
    assert original is not None and repeat is not None

    listing = owner_client.get(reverse("invoices:received_list")).content.decode()
    detail = owner_client.get(reverse("invoices:received_detail", args=[repeat.pk])).content.decode()

    assert listing.count("repeat of an earlier delivery") == 1 and listing.count(f"{format_money(537)} open") == 1
    assert "the supplier sent this document before" in detail
    assert reverse("invoices:received_detail", args=[original.pk]) in detail
