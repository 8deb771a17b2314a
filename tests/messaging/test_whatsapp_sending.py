"""An invoice sent by WhatsApp through Twilio's simulator on a real local socket, end to end: the
template (ContentSid and variables, the PDF at our own expiring link), Twilio's signed status
callbacks reaching the live service (delivered, failed with a code, out of order, repeated), a
forged callback refused, and Twilio's refusals sorted into permanent and transient."""

from __future__ import annotations

import json

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from pytest_django.fixtures import Settings as SettingsWrapper

from core.models import AuditEvent
from invoices.models import Client, Invoice
from messaging import services
from messaging.models import Message, MessageEvent, MessageStatus
from sandboxes.twilio import CONTENT_SIDS, TwilioSandbox, signature
from tests.messaging.conftest import WHATSAPP_NUMBER

pytestmark = [pytest.mark.django_db(transaction=True)]


def send_from_screen(owner_client: HttpClient, invoice: Invoice) -> Message:
    response = owner_client.post(reverse("invoices:invoice_send", args=[invoice.pk]), {"channel": "whatsapp"})
    assert response.status_code == 302
    return Message.objects.get(invoice=invoice)


def handed_over(message: Message) -> Message:
    """What the worker does with the queued task."""
    services.deliver(message.pk)
    message.refresh_from_db()
    return message


def test_the_send_screen_offers_whatsapp_first_for_a_client_who_prefers_it(
    twilio: TwilioSandbox, owner_client: HttpClient, draft_invoice: Invoice
) -> None:
    page = owner_client.get(reverse("invoices:invoice_send", args=[draft_invoice.pk])).content.decode()

    assert "data-send-whatsapp" in page and WHATSAPP_NUMBER in page
    assert page.index('value="whatsapp"') < page.index('value="email"')  # both offered
    assert 'send-channel send-channel-chosen" data-send-whatsapp' in page


def test_an_invoice_goes_out_as_a_template_and_is_followed_to_delivered(
    twilio: TwilioSandbox, owner_client: HttpClient, draft_invoice: Invoice, site: str
) -> None:
    message = send_from_screen(owner_client, draft_invoice)
    draft_invoice.refresh_from_db()
    assert draft_invoice.status == "sent" and message.status == MessageStatus.PENDING

    message = handed_over(message)

    assert message.status == MessageStatus.QUEUED and message.provider_sid
    sent = twilio.message(message.provider_sid)
    assert sent.content_sid == CONTENT_SIDS["invoice"] and sent.to == f"whatsapp:{WHATSAPP_NUMBER}"
    variables = sent.content_variables
    assert variables["1"] == "Café De Hoek" and variables["2"] == draft_invoice.number
    assert variables["3"] == "€\xa0121,00"  # in the client's language (Dutch)
    assert variables["4"].startswith(f"{site}/") and "Café De Hoek" in sent.body
    assert sent.media_urls[0].startswith(f"{site}/links/pdf/") and sent.media_urls[0].endswith(".pdf")

    twilio.advance(message.provider_sid, "delivered")

    message.refresh_from_db()
    assert message.status == MessageStatus.DELIVERED and message.sent_at and message.delivered_at
    fetched = sent.media_fetches[0]
    assert fetched.status == 200 and fetched.content_type == "application/pdf" and fetched.size > 1000
    assert [delivery.status_code for delivery in twilio.callback_deliveries] == [200, 200]
    page = owner_client.get(reverse("invoices:invoice_detail", args=[draft_invoice.pk])).content.decode()
    assert 'data-message-status="delivered"' in page and "Delivered" in page
    assert AuditEvent.objects.filter(action="whatsapp.queued", target_id=str(draft_invoice.pk)).exists()


def test_a_failure_shows_twilios_code_and_words_on_the_invoice(
    twilio: TwilioSandbox, owner_client: HttpClient, draft_invoice: Invoice
) -> None:
    message = handed_over(send_from_screen(owner_client, draft_invoice))

    twilio.fail(str(message.provider_sid), error_code=63024)

    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED and message.error_code == 63024 and message.failed_at
    page = owner_client.get(reverse("invoices:invoice_detail", args=[draft_invoice.pk])).content.decode()
    assert "Twilio error 63024" in page and "WhatsApp refused the recipient" in page
    assert AuditEvent.objects.filter(action="whatsapp.failed", target_id=str(draft_invoice.pk)).exists()


def test_callbacks_out_of_order_or_twice_never_move_a_message_back(
    twilio: TwilioSandbox, owner_client: HttpClient, draft_invoice: Invoice
) -> None:
    message = handed_over(send_from_screen(owner_client, draft_invoice))
    sid = str(message.provider_sid)
    twilio.hold_callbacks = True
    twilio.advance(sid, "read")

    released = twilio.release_callbacks(reverse=True)  # read, delivered, sent

    assert [delivery.status for delivery in released] == ["sent", "delivered", "read"]
    message.refresh_from_db()
    assert message.status == MessageStatus.READ
    assert message.sent_at and message.delivered_at and message.read_at  # the late ones still say when
    assert twilio.redeliver(sid) is not None  # "read" again
    assert MessageEvent.objects.filter(message=message).count() == 3


def test_a_failure_is_final(twilio: TwilioSandbox, owner_client: HttpClient, draft_invoice: Invoice) -> None:
    message = handed_over(send_from_screen(owner_client, draft_invoice))
    sid = str(message.provider_sid)
    twilio.hold_callbacks = True
    twilio.fail(sid, error_code=63003, status="undelivered")

    services.record_status(sid, "undelivered", 63003)
    services.record_status(sid, "delivered")  # a stray late one

    message.refresh_from_db()
    assert message.status == MessageStatus.UNDELIVERED and message.error_code == 63003


def test_a_forged_or_unsigned_callback_is_refused(
    twilio: TwilioSandbox, client: HttpClient, draft_invoice: Invoice, owner_client: HttpClient, site: str
) -> None:
    message = handed_over(send_from_screen(owner_client, draft_invoice))
    url = reverse("messaging:twilio_status")
    params = {"MessageSid": str(message.provider_sid), "MessageStatus": "failed", "ErrorCode": "30008"}

    forged = client.post(url, params, HTTP_X_TWILIO_SIGNATURE=signature("guessed-token", f"{site}{url}", params))
    unsigned = client.post(url, params)
    # Signed for another address (the request's own host behind a proxy is not what Twilio signed).
    elsewhere = client.post(
        url, params, HTTP_X_TWILIO_SIGNATURE=signature(twilio.auth_token, f"http://testserver{url}", params)
    )
    genuine = client.post(url, params, HTTP_X_TWILIO_SIGNATURE=signature(twilio.auth_token, f"{site}{url}", params))

    assert forged.status_code == unsigned.status_code == elsewhere.status_code == 403
    assert genuine.status_code == 200 and genuine.json() == {"received": True, "known": True}
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED and message.error_code == 30008


def test_a_callback_for_a_message_that_is_not_ours_is_acknowledged(
    twilio: TwilioSandbox, client: HttpClient, site: str
) -> None:
    url = reverse("messaging:twilio_status")
    params = {"MessageSid": "MM" + "0" * 32, "MessageStatus": "delivered", "ErrorCode": "x" * 50}

    answer = client.post(url, params, HTTP_X_TWILIO_SIGNATURE=signature(twilio.auth_token, f"{site}{url}", params))

    assert answer.status_code == 200 and answer.json()["known"] is False


def test_a_number_twilio_refuses_fails_the_message_with_its_code(
    twilio: TwilioSandbox, owner_client: HttpClient, draft_invoice: Invoice
) -> None:
    message = send_from_screen(owner_client, draft_invoice)
    Message.objects.filter(pk=message.pk).update(to="+3212")  # changed since, or never valid at Twilio

    message = handed_over(message)

    assert message.status == MessageStatus.FAILED and message.error_code == 21211
    assert message.provider_sid is None and not twilio.messages
    page = owner_client.get(reverse("invoices:invoice_detail", args=[draft_invoice.pk])).content.decode()
    assert "Twilio error 21211" in page and "not a valid phone number" in page


@pytest.mark.parametrize("kind", ["503", "500", "429", "timeout"])
def test_a_transient_fault_leaves_the_message_for_the_next_try(
    kind: str, twilio: TwilioSandbox, owner_client: HttpClient, draft_invoice: Invoice
) -> None:
    twilio.faults.add({"kind": kind, "path": "/2010-04-01", "seconds": 3})
    message = send_from_screen(owner_client, draft_invoice)

    message = handed_over(message)
    assert message.status == MessageStatus.PENDING and message.attempts == 1 and message.error_message
    assert not twilio.messages

    assert services.deliver_pending() == 1  # the five-minute schedule

    message.refresh_from_db()
    assert message.status == MessageStatus.QUEUED and message.attempts == 2 and message.error_message == ""
    assert len(twilio.messages) == 1


def test_the_user_can_still_email_a_client_who_prefers_whatsapp(
    twilio: TwilioSandbox, owner_client: HttpClient, draft_invoice: Invoice, mailoutbox: list[object]
) -> None:
    response = owner_client.post(reverse("invoices:invoice_send", args=[draft_invoice.pk]), {"channel": "email"})

    assert response.status_code == 302 and len(mailoutbox) == 1
    assert not Message.objects.exists()


def test_without_a_number_whatsapp_is_refused_in_words(
    twilio: TwilioSandbox, owner_client: HttpClient, draft_invoice: Invoice
) -> None:
    Client.objects.filter(pk=draft_invoice.client_id).update(whatsapp_number="", preferred_channel="email")

    response = owner_client.post(
        reverse("invoices:invoice_send", args=[draft_invoice.pk]), {"channel": "whatsapp"}, follow=True
    )

    assert "no WhatsApp number" in response.content.decode()
    draft_invoice.refresh_from_db()
    assert draft_invoice.status == "draft" and not Message.objects.exists()


def test_the_request_names_the_template_not_a_body(twilio: TwilioSandbox, draft_invoice: Invoice) -> None:
    message = handed_over(services.send_invoice_whatsapp(draft_invoice))

    sent = twilio.message(str(message.provider_sid))
    assert sent.content_sid == CONTENT_SIDS["invoice"]
    assert set(sent.content_variables) == {"1", "2", "3", "4", "5"}
    assert json.loads(json.dumps(sent.content_variables))["5"].startswith("links/pdf/")


@pytest.mark.parametrize(("outcome", "status", "code"), [("delivered", "delivered", None), ("failed", "failed", 63019)])
def test_a_lost_callback_is_made_up_for_by_asking_twilio(
    outcome: str,
    status: str,
    code: int | None,
    twilio: TwilioSandbox,
    owner_client: HttpClient,
    draft_invoice: Invoice,
) -> None:
    message = handed_over(send_from_screen(owner_client, draft_invoice))
    sid = str(message.provider_sid)
    twilio.hold_callbacks = True  # never posted: lost
    if outcome == "failed":
        twilio.fail(sid, error_code=63019)
    else:
        twilio.advance(sid, "delivered")

    assert services.follow_unsettled() == 0  # too early: the callback may still come
    assert services.follow_unsettled(timezone.now() + services.FOLLOW_AFTER) == 1

    message.refresh_from_db()
    assert message.status == status and message.error_code == code
    assert services.follow_unsettled(timezone.now() + services.FOLLOW_AFTER) == 0  # settled: not asked again


def test_a_message_twilio_cannot_be_asked_about_now_is_asked_next_time(
    twilio: TwilioSandbox, owner_client: HttpClient, draft_invoice: Invoice
) -> None:
    message = handed_over(send_from_screen(owner_client, draft_invoice))
    twilio.hold_callbacks = True
    twilio.advance(str(message.provider_sid), "delivered")
    twilio.faults.add({"kind": "503", "path": "/2010-04-01"})
    later = timezone.now() + services.FOLLOW_AFTER

    assert services.follow_unsettled(later) == 1
    message.refresh_from_db()
    assert message.status == MessageStatus.QUEUED

    services.follow_unsettled(later)
    message.refresh_from_db()
    assert message.status == MessageStatus.DELIVERED


@hypothesis_settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    params=st.dictionaries(
        st.sampled_from(["MessageSid", "MessageStatus", "ErrorCode", "ErrorMessage", "To", "Other"]),
        st.one_of(
            st.text(max_size=40), st.sampled_from(["delivered", "failed", "\u00b2", "\uff11\uff12", "99999999999"])
        ),
    ),
    forged=st.booleans(),
)
@example(params={"MessageStatus": "failed", "ErrorCode": "\u00b2"}, forged=False)  # a digit int() refuses
def test_no_callback_gets_a_server_error(
    client: HttpClient, settings: SettingsWrapper, params: dict[str, str], forged: bool
) -> None:
    settings.SITE_URL = "https://invoices.example.com"
    settings.TWILIO_AUTH_TOKEN = "token"
    url = reverse("messaging:twilio_status")
    params = {name: value.replace("\x00", "") for name, value in params.items()}
    signed = signature("guess" if forged else "token", f"https://invoices.example.com{url}", params)

    answer = client.post(url, params, HTTP_X_TWILIO_SIGNATURE=signed)

    assert answer.status_code == (403 if forged else 200)


def test_twilios_signed_callbacks_are_never_rate_limited_but_forged_ones_are(
    client: HttpClient, settings: SettingsWrapper
) -> None:
    """Twilio does not retry a callback answered 429: a busy reminder run must not lose statuses."""
    settings.SITE_URL = "https://invoices.example.com"
    settings.TWILIO_AUTH_TOKEN = "token"
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "webhook": "2/m"}
    url = reverse("messaging:twilio_status")
    params = {"MessageSid": "MM" + "1" * 32, "MessageStatus": "delivered"}
    genuine = signature("token", f"https://invoices.example.com{url}", params)
    forged = signature("guess", f"https://invoices.example.com{url}", params)

    signed = [client.post(url, params, HTTP_X_TWILIO_SIGNATURE=genuine).status_code for _ in range(4)]
    refused = [client.post(url, params, HTTP_X_TWILIO_SIGNATURE=forged).status_code for _ in range(3)]

    assert signed == [200, 200, 200, 200]
    assert refused == [403, 403, 429]
