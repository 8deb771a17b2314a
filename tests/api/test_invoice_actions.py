"""`/api/v1/invoices/<id>/<action>/`: send, cancel, duplicate, the PDF, the UBL and the payment
details, each through the service or document the screens use."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core import mail
from lxml import etree
from rest_framework.test import APIClient

from core.models import AuditEvent, Organization
from invoices.models import Invoice, InvoiceStatus
from tests.factories import make_billing_profile, make_client, make_invoice, make_lines, pay

pytestmark = pytest.mark.django_db

UBL_ID = "{urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2}ID"


def test_send_marks_sent_and_emails_the_pdf(api: APIClient, organization: Organization) -> None:
    draft = make_invoice(organization, sent=False)
    response = api.post(f"/api/v1/invoices/{draft.pk}/send/", {}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["channel"], body["recipient"], body["warning"]) == ("email", "accounts@dupont.example", None)
    assert body["invoice"]["status"] == "sent"
    (message,) = mail.outbox
    assert message.to == ["accounts@dupont.example"]
    assert message.attachments[0][1].startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="invoice.sent", target_id=str(draft.pk)).exists()


def test_sending_a_cancelled_invoice_is_refused_in_words(api: APIClient, organization: Organization) -> None:
    invoice = make_invoice(organization)
    assert api.post(f"/api/v1/invoices/{invoice.pk}/cancel/", {}, format="json").status_code == 200
    response = api.post(f"/api/v1/invoices/{invoice.pk}/send/", {}, format="json")
    assert response.status_code == 422
    assert response.json()["error"]["message"] == "A cancelled invoice cannot be sent."
    assert not mail.outbox


def test_sending_a_paid_invoice_again_sends_a_copy_and_keeps_it_paid(
    api: APIClient, organization: Organization
) -> None:
    invoice = make_invoice(organization)
    pay(invoice, "121.00")
    response = api.post(f"/api/v1/invoices/{invoice.pk}/send/", {}, format="json")
    assert response.status_code == 200
    assert response.json()["invoice"]["status"] == "paid"
    assert len(mail.outbox) == 1


def test_peppol_without_a_peppol_id_is_refused(api: APIClient, organization: Organization) -> None:
    draft = make_invoice(organization, sent=False)
    response = api.post(f"/api/v1/invoices/{draft.pk}/send/", {"channel": "peppol"}, format="json")
    assert response.status_code == 422
    assert "Peppol ID" in response.json()["error"]["message"]
    draft.refresh_from_db()
    assert draft.status == InvoiceStatus.DRAFT


def test_an_unknown_channel_is_400(api: APIClient, organization: Organization) -> None:
    draft = make_invoice(organization, sent=False)
    response = api.post(f"/api/v1/invoices/{draft.pk}/send/", {"channel": "fax"}, format="json")
    assert response.status_code == 400
    assert list(response.json()["error"]["details"]) == ["channel"]


def test_cancel_keeps_the_reason_and_refuses_a_paid_invoice(api: APIClient, organization: Organization) -> None:
    invoice = make_invoice(organization)
    response = api.post(f"/api/v1/invoices/{invoice.pk}/cancel/", {"reason": "Duplicate"}, format="json")
    assert response.status_code == 200, response.json()
    assert (response.json()["status"], response.json()["balance_due"]) == ("cancelled", "0.00")
    event = AuditEvent.objects.get(action="invoice.cancelled", target_id=str(invoice.pk))
    assert event.after["reason"] == "Duplicate"
    paid = make_invoice(organization)
    pay(paid, "10.00")
    refused = api.post(f"/api/v1/invoices/{paid.pk}/cancel/", {}, format="json")
    assert refused.status_code == 422
    assert "payments or credit notes" in refused.json()["error"]["message"]


def test_duplicate_answers_201_with_a_new_draft(api: APIClient, organization: Organization) -> None:
    invoice = make_invoice(organization, lines=make_lines(("3", "20.00", "6")))
    response = api.post(f"/api/v1/invoices/{invoice.pk}/duplicate/", format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["id"] != invoice.pk and body["number"] != invoice.number
    assert (body["status"], body["total"], len(body["lines"])) == ("draft", "63.60", 1)


def test_pdf_is_the_invoices_pdf(api: APIClient, organization: Organization) -> None:
    invoice = make_invoice(organization)
    response = api.get(f"/api/v1/invoices/{invoice.pk}/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")  # type: ignore[attr-defined]
    asked = api.get(f"/api/v1/invoices/{invoice.pk}/pdf/", HTTP_ACCEPT="application/pdf")
    assert asked.status_code == 200


def test_a_missing_pdf_asked_as_pdf_is_a_json_404(api: APIClient) -> None:
    response = api.get("/api/v1/invoices/999999/pdf/", HTTP_ACCEPT="application/pdf")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == "not_found"


def test_ubl_is_xml_with_the_invoice_number(api: APIClient, organization: Organization) -> None:
    make_billing_profile(organization)
    invoice = make_invoice(organization, make_client(organization, vat_number="BE0403019261", country="BE"))
    response = api.get(f"/api/v1/invoices/{invoice.pk}/ubl/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    root = etree.fromstring(b"".join(response.streaming_content))  # type: ignore[attr-defined]
    assert root.findtext(UBL_ID) == invoice.number


def test_payment_link_gives_the_transfer_and_its_qr_text(api: APIClient, organization: Organization) -> None:
    make_billing_profile(organization)
    invoice = make_invoice(organization)
    pay(invoice, "21.00")
    response = api.get(f"/api/v1/invoices/{invoice.pk}/payment-link/")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["iban"], body["amount"], body["currency"]) == ("BE71096123456769", "100.00", "EUR")
    assert body["structured_reference"] == invoice.formatted_reference
    payload = body["epc_qr_payload"].split("\n")
    assert payload[:2] == ["BCD", "002"]
    assert payload[6:8] == ["BE71096123456769", "EUR100"]
    assert payload[9] == invoice.formatted_reference


def test_payment_link_of_a_draft_is_a_conflict(api: APIClient, organization: Organization) -> None:
    make_billing_profile(organization)
    draft = make_invoice(organization, sent=False)
    response = api.get(f"/api/v1/invoices/{draft.pk}/payment-link/")
    assert response.status_code == 409


def test_payment_link_without_an_iban_says_what_to_set_up(api: APIClient, organization: Organization) -> None:
    invoice = make_invoice(organization)
    response = api.get(f"/api/v1/invoices/{invoice.pk}/payment-link/")
    assert response.status_code == 422
    assert "IBAN" in response.json()["error"]["message"]


def test_payment_link_of_a_dollar_invoice_has_no_qr_text(api: APIClient, organization: Organization) -> None:
    make_billing_profile(organization)
    invoice = make_invoice(organization, currency="USD")
    body = api.get(f"/api/v1/invoices/{invoice.pk}/payment-link/").json()
    assert (body["currency"], body["amount"], body["epc_qr_payload"]) == ("USD", "121.00", None)
    assert Invoice.objects.get(pk=invoice.pk).balance_due == Decimal("121.00")
