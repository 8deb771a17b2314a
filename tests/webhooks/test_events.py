"""Events become deliveries once their change is committed, to the subscribed endpoints of the
organisation only, with the payload a receiver needs."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import transaction

from core.models import Organization
from integrations.models import ConnectionStatus
from invoices import reminders
from tests.factories import make_connection, make_invoice, make_webhook_endpoint, pay
from webhooks import events
from webhooks.models import EventType, WebhookDelivery

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("task_queue")]


def _payloads(event_type: str) -> list[dict[str, Any]]:
    return [d.payload for d in WebhookDelivery.objects.filter(event_type=event_type)]


def test_nothing_is_delivered_before_the_commit_nor_after_a_rollback(
    organization: Organization, django_capture_on_commit_callbacks
):
    make_webhook_endpoint(organization)
    invoice = make_invoice(organization)

    def pay_then_fail() -> None:
        with transaction.atomic():
            pay(invoice, "121.00")
            raise RuntimeError("the payment is rolled back")

    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError):
            pay_then_fail()
        events.emit(organization.pk, EventType.INVOICE_SENT, {"id": invoice.pk})
        assert not WebhookDelivery.objects.exists()  # announced, not yet committed

    assert [d.event_type for d in WebhookDelivery.objects.all()] == [EventType.INVOICE_SENT]


def test_a_payment_that_settles_the_invoice_announces_payment_received_and_invoice_paid(
    organization: Organization, django_capture_on_commit_callbacks
):
    endpoint = make_webhook_endpoint(organization)
    invoice = make_invoice(organization)

    with django_capture_on_commit_callbacks(execute=True):
        pay(invoice, "21.00", on=datetime.date(2026, 3, 20))
    with django_capture_on_commit_callbacks(execute=True):
        payment = pay(invoice, "100.00", on=datetime.date(2026, 3, 25))

    received = _payloads(EventType.PAYMENT_RECEIVED)
    (paid,) = _payloads(EventType.INVOICE_PAID)
    assert len(received) == 2
    assert received[0]["type"] == "payment.received"
    assert received[0]["data"] == {
        "id": payment.pk,
        "amount": "100.00",
        "currency": "EUR",
        "date": "2026-03-25",
        "method": "bank_transfer",
        "reference": "",
        "is_overpayment": False,
        "client": {"id": invoice.client_id, "name": "Brasserie Dupont"},
        "invoice": {"id": invoice.pk, "number": invoice.number, "status": "paid", "balance_due": "0.00"},
    }
    assert paid["type"] == "invoice.paid"
    datetime.datetime.fromisoformat(paid["timestamp"])
    assert paid["data"] == {
        "id": invoice.pk,
        "number": invoice.number,
        "status": "paid",
        "client": {"id": invoice.client_id, "name": "Brasserie Dupont"},
        "currency": "EUR",
        "subtotal": "100.00",
        "vat_total": "21.00",
        "total": "121.00",
        "amount_paid": "121.00",
        "amount_credited": "0.00",
        "balance_due": "0.00",
        "issue_date": "2026-03-02",
        "due_date": invoice.due_date.isoformat(),
        "paid_on": "2026-03-25",
        "payment_reference": invoice.payment_reference,
    }
    assert WebhookDelivery.objects.filter(endpoint=endpoint).count() == 3


def test_only_subscribed_endpoints_of_the_organisation_get_the_event(
    organization: Organization, other_organization: Organization, django_capture_on_commit_callbacks
):
    listening = make_webhook_endpoint(organization, events=[EventType.INVOICE_SENT])
    make_webhook_endpoint(organization, events=[EventType.INVOICE_PAID])
    make_webhook_endpoint(organization, events=[EventType.INVOICE_SENT], is_active=False)
    make_webhook_endpoint(other_organization, events=[EventType.INVOICE_SENT])

    with django_capture_on_commit_callbacks(execute=True):
        invoice = make_invoice(organization)

    (delivery,) = WebhookDelivery.objects.all()
    assert delivery.endpoint == listening
    assert delivery.payload["data"]["id"] == invoice.pk
    assert delivery.message_id.startswith("msg_")


def test_the_daily_overdue_marking_announces_each_invoice(
    organization: Organization, django_capture_on_commit_callbacks
):
    make_webhook_endpoint(organization, events=[EventType.INVOICE_OVERDUE])
    invoice = make_invoice(organization)

    with django_capture_on_commit_callbacks(execute=True):
        reminders.mark_overdue_invoices(invoice.due_date + datetime.timedelta(days=1))

    (payload,) = _payloads(EventType.INVOICE_OVERDUE)
    assert payload["data"]["number"] == invoice.number
    assert payload["data"]["status"] == "overdue"
    assert payload["data"]["balance_due"] == "121.00"


def test_a_connection_that_needs_reauthorisation_announces_it_with_the_failed_sync(
    organization: Organization, django_capture_on_commit_callbacks
):
    make_webhook_endpoint(organization, events=[EventType.SYNC_FAILED, EventType.CONNECTION_NEEDS_REAUTH])
    connection = make_connection(
        organization, status=ConnectionStatus.NEEDS_REAUTH, last_error="invalid_grant", consecutive_failures=1
    )

    with django_capture_on_commit_callbacks(execute=True):
        events.sync_failed(connection, newly_needs_reauth=True)

    (failed,) = _payloads(EventType.SYNC_FAILED)
    (reauth,) = _payloads(EventType.CONNECTION_NEEDS_REAUTH)
    assert failed["data"] == reauth["data"]
    assert reauth["data"]["status"] == "needs_reauth"
    assert reauth["data"]["last_error"] == "invalid_grant"
    assert reauth["data"]["provider"] == "ponto"
