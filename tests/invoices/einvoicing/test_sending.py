"""Invoices sent over Peppol through the access point's simulator on a real local socket: followed
to delivered or failed, never uploaded or sent twice after an answer was lost, faults classified by
meaning, the channel chosen by the participant directory, signed webhooks."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from core.models import AuditEvent, Organization
from invoices import services
from invoices.einvoicing import sending
from invoices.models import BillingProfile, Client, Invoice, Transmission, TransmissionState
from invoices.services import Line
from sandboxes.einvoice import EInvoiceSandbox, signature
from sandboxes.einvoice.seeding import UNREGISTERED_KBO
from tests.factories import make_billing_profile, make_client, make_invoice
from tests.invoices.einvoicing.conftest import WEBHOOK_SECRET

pytestmark = pytest.mark.django_db


@pytest.fixture
def profile(organization: Organization) -> BillingProfile:
    return make_billing_profile(organization)


def peppol_client(organization: Organization, enterprise_number: str = "0700123432") -> Client:
    return make_client(
        organization,
        name="Klant NV",
        address_line1="Meir 10",
        postal_code="2000",
        city="Antwerpen",
        vat_number=f"BE{enterprise_number}",
        enterprise_number=enterprise_number,
    )


def draft(profile: BillingProfile, client: Client | None = None) -> Invoice:
    lines = [Line("Consultancy", Decimal("10"), Decimal("85.00"), Decimal("21"))]
    return make_invoice(profile.organization, client or peppol_client(profile.organization), lines=lines, sent=False)


def uploads(sandbox: EInvoiceSandbox) -> int:
    return len(list(sandbox.documents()))


def sends(sandbox: EInvoiceSandbox, document_id: str) -> int:
    document = sandbox.document(document_id)
    return sum(1 for event in document.timeline if event.event_type == "send_attempted")


def test_an_invoice_goes_out_over_peppol_and_is_followed_until_delivered(einvoice_sandbox, profile):
    invoice = draft(profile)

    transmission = sending.send_over_peppol(invoice)
    assert transmission.state == TransmissionState.QUEUED and transmission.receiver == "0208:0700123432"
    invoice.refresh_from_db()
    assert invoice.status == "sent"

    assert sending.advance(transmission.pk) == TransmissionState.TRANSIT
    einvoice_sandbox.advance(10)  # the network takes its time
    assert sending.advance(transmission.pk) == TransmissionState.SENT

    transmission.refresh_from_db()
    assert transmission.delivered_at is not None and transmission.error == ""
    assert [event.what for event in transmission.timeline][-1] == "Delivered to the receiver's access point"
    assert uploads(einvoice_sandbox) == 1 and sends(einvoice_sandbox, transmission.access_point_id) == 1
    assert AuditEvent.objects.filter(action="einvoice.sent", target_id=str(invoice.pk)).count() == 1


def test_an_upload_whose_answer_was_lost_is_found_not_repeated(einvoice_sandbox, profile):
    invoice = draft(profile)
    transmission = sending.send_over_peppol(invoice)
    einvoice_sandbox.faults.add({"kind": "accepted_timeout", "path": "/api/documents/ubl", "seconds": 2})

    assert sending.advance(transmission.pk) == TransmissionState.QUEUED
    transmission.refresh_from_db()
    assert transmission.upload_attempts == 1 and transmission.error.startswith("Trying again")
    assert uploads(einvoice_sandbox) == 1  # it did arrive

    assert sending.advance(transmission.pk) == TransmissionState.TRANSIT
    transmission.refresh_from_db()
    assert uploads(einvoice_sandbox) == 1 and transmission.upload_attempts == 1
    assert transmission.access_point_id == next(iter(einvoice_sandbox.documents())).id


def test_a_send_whose_answer_was_lost_is_not_sent_again(einvoice_sandbox, profile):
    transmission = sending.send_over_peppol(draft(profile))
    einvoice_sandbox.faults.add({"kind": "accepted_timeout", "path": "/api/documents/", "method": "POST", "after": 1})

    assert sending.advance(transmission.pk) == TransmissionState.DRAFT  # uploaded; the send's answer lost
    transmission.refresh_from_db()
    assert transmission.send_attempts == 1

    assert sending.advance(transmission.pk) == TransmissionState.TRANSIT
    transmission.refresh_from_db()
    assert sends(einvoice_sandbox, transmission.access_point_id) == 1 and transmission.send_attempts == 1


@pytest.mark.parametrize("kind", ["429", "500", "503", "drop"])
def test_a_passing_fault_leaves_the_transmission_for_the_next_poll(einvoice_sandbox, profile, kind: str):
    transmission = sending.send_over_peppol(draft(profile))
    einvoice_sandbox.faults.add({"kind": kind, "path": "/api/documents/ubl"})

    assert sending.advance(transmission.pk) == TransmissionState.QUEUED
    assert sending.advance_live() == 1
    transmission.refresh_from_db()
    assert transmission.state == TransmissionState.TRANSIT and uploads(einvoice_sandbox) == 1


def test_a_receiver_not_on_peppol_ends_failed_with_the_access_points_words(einvoice_sandbox, profile):
    invoice = draft(profile, peppol_client(profile.organization, UNREGISTERED_KBO))
    transmission = sending.send_over_peppol(invoice)

    sending.advance(transmission.pk)
    einvoice_sandbox.advance(10)
    assert sending.advance(transmission.pk) == TransmissionState.FAILED

    transmission.refresh_from_db()
    assert "not registered on the Peppol network" in transmission.error
    assert AuditEvent.objects.filter(action="einvoice.failed", target_id=str(invoice.pk)).exists()
    # Failed is settled: a new try is allowed, and it is a new transmission.
    again = sending.send_over_peppol(invoice)
    assert again.pk != transmission.pk


def test_a_refused_key_fails_at_once_instead_of_retrying_for_ever(einvoice_sandbox, profile, settings):
    transmission = sending.send_over_peppol(draft(profile))
    settings.EINVOICE_API_KEY = "not-the-key"

    assert sending.advance(transmission.pk) == TransmissionState.FAILED
    transmission.refresh_from_db()
    assert "401" in transmission.error and "Invalid or missing API key" in transmission.error
    assert sending.advance_live() == 0


def test_sending_is_refused_in_words_before_anything_goes_out(einvoice_sandbox, organization, profile):
    no_ids = make_invoice(organization, make_client(organization), sent=False)
    with pytest.raises(ValidationError, match="no Peppol ID"):
        sending.send_over_peppol(no_ids)

    invoice = draft(profile)
    sending.send_over_peppol(invoice)
    with pytest.raises(ValidationError, match="already on its way"):
        sending.send_over_peppol(invoice)

    other = Organization.objects.create(name="No billing details BV")
    unready = make_invoice(other, peppol_client(other), sent=False)
    with pytest.raises(ValidationError) as refused:
        sending.send_over_peppol(unready)
    assert any("PEPPOL-EN16931-R020" in message for message in refused.value.messages)
    assert Transmission.objects.filter(invoice=unready).count() == 0 and uploads(einvoice_sandbox) == 0


def test_the_channel_follows_the_participant_directory(einvoice_sandbox, organization, settings):
    assert sending.channel_for(make_invoice(organization, peppol_client(organization))).channel == sending.PEPPOL
    unregistered = sending.channel_for(make_invoice(organization, peppol_client(organization, UNREGISTERED_KBO)))
    assert unregistered.channel == sending.EMAIL and "not registered" in unregistered.reason
    assert "no Peppol ID" in sending.channel_for(make_invoice(organization, make_client(organization))).reason

    cache.clear()
    settings.EINVOICE_API_URL = "http://127.0.0.1:9/einvoice"  # nothing listens there
    unknown = sending.channel_for(make_invoice(organization, peppol_client(organization)))
    assert unknown.channel == sending.EMAIL and "could not be asked" in unknown.reason


def test_the_send_page_recommends_peppol_and_sends_the_chosen_way(einvoice_sandbox, owner_client, profile):
    invoice = draft(profile)
    url = reverse("invoices:invoice_send", args=[invoice.pk])

    page = owner_client.get(url).content.decode()
    assert "Klant NV receives invoices over Peppol" in page

    owner_client.post(url, {"channel": "peppol"})
    assert Transmission.objects.get(invoice=invoice).receiver == "0208:0700123432"
    detail = owner_client.get(invoice.get_absolute_url()).content.decode()
    assert "Queued" in detail and "0208:0700123432" in detail


def test_the_send_page_of_another_organisation_is_not_found(einvoice_sandbox, owner_client, profile):
    stranger = Organization.objects.create(name="Someone else")
    invoice = make_invoice(stranger, peppol_client(stranger), sent=False)

    assert owner_client.get(reverse("invoices:invoice_send", args=[invoice.pk])).status_code == 404
    assert (
        owner_client.post(reverse("invoices:invoice_send", args=[invoice.pk]), {"channel": "peppol"}).status_code == 404
    )
    assert not Transmission.objects.exists()


def signed(event: dict[str, Any], secret: str = WEBHOOK_SECRET) -> dict[str, Any]:
    return {"data": json.dumps(event), "content_type": "application/json", "HTTP_X_SIGNATURE": signature(secret, event)}


def test_a_signed_status_webhook_queues_the_document_and_a_forged_one_is_refused(einvoice_sandbox, client, task_queue):
    event = {
        "id": "evt_1",
        "type": "document.sent",
        "timestamp": "2026-03-16T09:30:00Z",
        "data": {"document": {"id": "doc_1"}},
    }
    url = reverse("invoices:einvoice_webhook")

    accepted = client.post(url, **signed(event))
    forged = client.post(url, **signed(event, secret="guessed"))
    unsigned = client.post(url, data=json.dumps(event), content_type="application/json")

    assert accepted.status_code == 200 and accepted.json()["document"] == "doc_1"
    assert forged.status_code == 400 and unsigned.status_code == 400
    assert task_queue.queue_size() == 1


def test_the_docs_example_signature_verifies():
    from invoices.einvoicing import webhooks

    example = {
        "document": {
            "id": "doc-1",
            "name": "test.xml",
            "size": 100,
            "type": "application/xml",
            "url": "https://example.com/test.xml",
        }
    }
    header = "sha256=6722b498bf28ce7ca5a6f21c0fca9166e24dea480978b276725ff46e503dd70f"  # reference §3.7

    assert webhooks.verify(json.dumps(example).encode(), header, "secret").document_id == "doc-1"


@hypothesis_settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.binary(max_size=300), header=st.text(max_size=80))
def test_no_webhook_body_gets_a_server_error(client, settings, body: bytes, header: str):
    settings.EINVOICE_WEBHOOK_SECRET = WEBHOOK_SECRET
    response = client.post(
        reverse("invoices:einvoice_webhook"), data=body, content_type="application/json", HTTP_X_SIGNATURE=header
    )
    assert response.status_code == 400


def test_a_delivered_webhook_moves_the_transmission_on(einvoice_sandbox, profile, client):
    transmission = sending.send_over_peppol(draft(profile))
    sending.advance(transmission.pk)
    einvoice_sandbox.advance(10)
    transmission.refresh_from_db()

    assert sending.follow_document(transmission.access_point_id) is True
    transmission.refresh_from_db()
    assert transmission.state == TransmissionState.SENT
    assert sending.follow_document("doc_not_ours") is False


def test_a_credit_note_goes_out_over_peppol_once_and_shows_on_its_invoice(einvoice_sandbox, owner_client, profile):
    invoice = draft(profile)
    sending.send_over_peppol(invoice)
    credit_note = services.issue_credit_note(
        invoice,
        lines=[Line("Consultancy, one hour less", Decimal("1"), Decimal("85.00"), Decimal("21"))],
        issue_date=invoice.issue_date,
        reason="One hour less",
    )

    owner_client.post(reverse("invoices:credit_note_send", args=[credit_note.pk]))
    transmission = Transmission.objects.get(credit_note=credit_note)
    assert transmission.invoice == invoice and transmission.receiver == "0208:0700123432"
    with pytest.raises(ValidationError, match="already on its way"):
        sending.send_credit_note_over_peppol(credit_note)

    assert sending.advance(transmission.pk) == TransmissionState.TRANSIT
    einvoice_sandbox.advance(10)
    assert sending.advance(transmission.pk) == TransmissionState.SENT
    transmission.refresh_from_db()
    uploaded = einvoice_sandbox.document(transmission.access_point_id)
    assert b"<CreditNote" in uploaded.ubl and credit_note.number.encode() in uploaded.ubl
    page = owner_client.get(invoice.get_absolute_url()).content.decode()
    assert f"Credit note {credit_note.number}:" in page


def test_a_signature_header_that_is_not_ascii_is_refused_not_a_server_error(client, settings):
    settings.EINVOICE_WEBHOOK_SECRET = WEBHOOK_SECRET
    event = {"type": "document.sent", "data": {"document": {"id": "doc_1"}}}

    response = client.post(
        reverse("invoices:einvoice_webhook"),
        data=json.dumps(event),
        content_type="application/json",
        HTTP_X_SIGNATURE="sha256=é",
    )

    assert response.status_code == 400


def test_a_transmission_another_worker_is_moving_is_left_alone(einvoice_sandbox, profile):
    transmission = sending.send_over_peppol(draft(profile))
    held = timezone.now() + datetime.timedelta(minutes=5)
    Transmission.objects.filter(pk=transmission.pk).update(claimed_until=held)

    assert sending.advance(transmission.pk) == TransmissionState.QUEUED
    assert uploads(einvoice_sandbox) == 0  # the webhook's task and the poll never upload side by side

    Transmission.objects.filter(pk=transmission.pk).update(claimed_until=timezone.now() - datetime.timedelta(seconds=1))
    assert sending.advance(transmission.pk) == TransmissionState.TRANSIT  # a lapsed claim is taken over
    transmission.refresh_from_db()
    assert transmission.claimed_until is None and uploads(einvoice_sandbox) == 1


def test_a_refused_key_after_the_send_never_frees_the_invoice_to_go_out_twice(einvoice_sandbox, profile, settings):
    invoice = draft(profile)
    transmission = sending.send_over_peppol(invoice)
    assert sending.advance(transmission.pk) == TransmissionState.TRANSIT
    settings.EINVOICE_API_KEY = "rotated-away"

    assert sending.advance(transmission.pk) == TransmissionState.TRANSIT
    transmission.refresh_from_db()
    assert transmission.error.startswith("Trying again") and "401" in transmission.error
    with pytest.raises(ValidationError, match="already on its way"):
        sending.send_over_peppol(invoice)


def test_one_transmission_that_breaks_does_not_hold_up_the_others(einvoice_sandbox, profile):
    broken = sending.send_over_peppol(draft(profile))
    second = sending.send_over_peppol(draft(profile))
    # Uploaded, yet without the access point's id: the SDK refuses to send it (ValueError).
    Transmission.objects.filter(pk=broken.pk).update(state=TransmissionState.DRAFT, access_point_id="")

    assert sending.advance_live() == 2

    broken.refresh_from_db()
    second.refresh_from_db()
    assert broken.state == TransmissionState.DRAFT and broken.claimed_until is None
    assert second.state == TransmissionState.TRANSIT


def test_a_transmission_still_unsettled_after_a_day_asks_for_a_person(einvoice_sandbox, owner_client, profile):
    invoice = draft(profile)
    transmission = sending.send_over_peppol(invoice)
    Transmission.objects.filter(pk=transmission.pk).update(created_at=timezone.now() - datetime.timedelta(days=2))

    page = owner_client.get(invoice.get_absolute_url()).content.decode()

    assert "Not settled a day after it was queued" in page
    assert sending.advance_live() == 1  # and it is still followed
