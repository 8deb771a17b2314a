"""A WhatsApp message the worker could not hand to Twilio at once (Twilio down) is not sent later
when it no longer holds: a reminder for an invoice paid in the meantime, or any message of an
invoice cancelled or deleted in the meantime."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from core.models import Organization
from invoices import services as invoice_services
from invoices.models import Client, Invoice
from invoices.reminders import send_payment_reminders
from messaging import services
from messaging.models import Message, MessageStatus
from sandboxes.twilio import TwilioSandbox
from tests.factories import make_invoice

pytestmark = pytest.mark.django_db

WEEK_LATE = datetime.date(2026, 4, 8)  # make_invoice's invoices are due 2026-04-01


def held_up(twilio: TwilioSandbox, message: Message) -> None:
    """Twilio answers 503 to the first hand-over: the message waits for the five-minute retry."""
    twilio.faults.add({"kind": "503", "path": "/2010-04-01"})
    assert services.deliver(message.pk) == MessageStatus.PENDING


def test_a_reminder_for_an_invoice_paid_meanwhile_is_not_sent(
    twilio: TwilioSandbox, organization: Organization, whatsapp_client: Client
) -> None:
    invoice = make_invoice(organization, whatsapp_client)
    assert send_payment_reminders(WEEK_LATE) == 1
    message = Message.objects.get()
    held_up(twilio, message)

    invoice_services.record_payment(
        organization=organization,
        client=whatsapp_client,
        invoice=invoice,
        amount=Decimal("121.00"),
        date=WEEK_LATE,
        currency="EUR",
    )
    services.deliver_pending()

    message.refresh_from_db()
    assert not twilio.messages
    assert message.status == MessageStatus.FAILED and "paid" in message.error_message


def test_an_invoice_cancelled_meanwhile_is_not_sent(twilio: TwilioSandbox, draft_invoice: Invoice) -> None:
    message = services.send_invoice_whatsapp(draft_invoice)
    held_up(twilio, message)

    invoice_services.cancel_invoice(draft_invoice, reason="Wrong client")
    services.deliver_pending()

    message.refresh_from_db()
    assert not twilio.messages
    assert message.status == MessageStatus.FAILED and "cancelled" in message.error_message


def test_a_reminder_for_an_invoice_still_open_goes_out_on_the_retry(
    twilio: TwilioSandbox, organization: Organization, whatsapp_client: Client
) -> None:
    make_invoice(organization, whatsapp_client)
    send_payment_reminders(WEEK_LATE)
    message = Message.objects.get()
    held_up(twilio, message)

    services.deliver_pending()

    message.refresh_from_db()
    assert message.status == MessageStatus.QUEUED and len(twilio.messages) == 1
