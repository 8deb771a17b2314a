"""Payment reminders go by the client's channel: by WhatsApp (the reminder template, through Twilio's
simulator) to a client who prefers it, by email otherwise or when WhatsApp is not set up."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from pytest_django.fixtures import Settings as SettingsWrapper

from core.models import AuditEvent, Organization
from invoices.models import Client, ReminderLog
from invoices.reminders import send_payment_reminders
from messaging import services
from messaging.models import Message, MessageKind, MessageStatus
from sandboxes.twilio import CONTENT_SIDS, TwilioSandbox
from tests.factories import make_client, make_invoice
from tests.messaging.conftest import WHATSAPP_NUMBER

pytestmark = pytest.mark.django_db

# make_invoice: issued 2026-03-02, 30 days' terms, so due 2026-04-01.
WEEK_LATE = datetime.date(2026, 4, 8)


def test_a_client_who_prefers_whatsapp_gets_the_reminder_there(
    twilio: TwilioSandbox, organization: Organization, whatsapp_client: Client
) -> None:
    invoice = make_invoice(organization, whatsapp_client)

    assert send_payment_reminders(WEEK_LATE) == 1
    assert send_payment_reminders(WEEK_LATE) == 0  # each stage once

    message = Message.objects.get()
    assert (message.kind, message.offset_days, message.to) == (MessageKind.REMINDER, 7, WHATSAPP_NUMBER)
    assert ReminderLog.objects.get(invoice=invoice).recipient == WHATSAPP_NUMBER
    assert not mail.outbox  # not by email as well
    event = AuditEvent.objects.get(action="invoice.reminder_sent")
    assert event.after == {"offset_days": 7, "recipient": WHATSAPP_NUMBER, "channel": "whatsapp"}

    assert services.deliver(message.pk) == MessageStatus.QUEUED
    sent = twilio.message(str(Message.objects.get().provider_sid))
    assert sent.content_sid == CONTENT_SIDS["reminder"] and sent.content_variables["2"] == invoice.number


def test_a_client_without_email_who_prefers_whatsapp_is_reminded(
    twilio: TwilioSandbox, organization: Organization
) -> None:
    client = make_client(organization, email="", preferred_channel="whatsapp", whatsapp_number=WHATSAPP_NUMBER)
    make_invoice(organization, client)

    assert send_payment_reminders(WEEK_LATE) == 1
    assert Message.objects.filter(kind=MessageKind.REMINDER).count() == 1


def test_without_whatsapp_set_up_the_reminder_is_emailed(
    settings: SettingsWrapper, organization: Organization, whatsapp_client: Client
) -> None:
    settings.TWILIO_ACCOUNT_SID = ""
    make_invoice(organization, whatsapp_client)

    assert send_payment_reminders(WEEK_LATE) == 1

    assert not Message.objects.exists() and len(mail.outbox) == 1
    assert mail.outbox[0].to == [whatsapp_client.email]


def test_an_email_client_still_gets_email(twilio: TwilioSandbox, organization: Organization) -> None:
    make_invoice(organization, make_client(organization, whatsapp_number=WHATSAPP_NUMBER))

    assert send_payment_reminders(WEEK_LATE) == 1

    assert not Message.objects.exists() and len(mail.outbox) == 1


def test_without_whatsapp_set_up_a_client_reachable_only_there_holds_up_nobody(
    settings: SettingsWrapper, organization: Organization
) -> None:
    settings.TWILIO_ACCOUNT_SID = ""
    only_whatsapp = make_client(organization, email="", preferred_channel="whatsapp", whatsapp_number=WHATSAPP_NUMBER)
    for _ in range(6):  # more than a run's tolerance of failures in a row
        make_invoice(organization, only_whatsapp)
    emailed = make_invoice(organization, make_client(organization, name="Other"))

    assert send_payment_reminders(WEEK_LATE) == 1

    assert ReminderLog.objects.get().invoice == emailed and len(mail.outbox) == 1
