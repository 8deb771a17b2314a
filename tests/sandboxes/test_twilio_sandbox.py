"""The Twilio WhatsApp simulator driven through the official SDK (twilio.md): authentication, sends
with content templates, Twilio's 400 codes, the Content API, the media fetch (from the Cloudinary
sandbox), the WhatsApp session window, signed status callbacks, faults and the control API.

Everything goes over HTTP to real sockets on 127.0.0.1; callbacks go to a small local receiver.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import cloudinary
import cloudinary.uploader
import cloudinary.utils
import httpx
import pytest
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from sandboxes.cloudinary import API_KEY, API_SECRET, CLOUD_NAME, CloudinarySandbox
from sandboxes.cloudinary import PREFIX as CLOUDINARY_PREFIX
from sandboxes.cloudinary import serve as serve_cloudinary
from sandboxes.twilio import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    CONTENT_SIDS,
    MESSAGING_SERVICE_SID,
    PREFIX,
    WHATSAPP_FROM,
    TwilioSandbox,
    serve,
)

CUSTOMER = "whatsapp:+32470123456"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Page >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


# --- a receiver for status callbacks ---------------------------------------------------------------------
@dataclass
class Callback:
    path: str
    signature: str
    params: dict[str, str]


@dataclass
class Receiver:
    url: str
    received: list[Callback] = field(default_factory=list)

    def statuses(self) -> list[str]:
        return [callback.params["MessageStatus"] for callback in self.received]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    received: list[Callback] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"])).decode()
            params = {name: values[0] for name, values in parse_qs(body, keep_blank_values=True).items()}
            received.append(Callback(self.path, self.headers["X-Twilio-Signature"], params))
            self.send_response(204)
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    yield Receiver(f"http://127.0.0.1:{server.server_port}/webhooks/twilio/status?org=7", received)
    server.shutdown()
    server.server_close()


# --- the two sandboxes, and the SDKs pointed at them ------------------------------------------------------
@pytest.fixture
def cloud() -> Iterator[str]:
    """A Cloudinary sandbox with the SDK configured for it; its API root."""
    server, base_url = serve_cloudinary(CloudinarySandbox())
    root = f"{base_url}{CLOUDINARY_PREFIX}"
    cloudinary.config(cloud_name=CLOUD_NAME, api_key=API_KEY, api_secret=API_SECRET, upload_prefix=root)
    yield root
    cloudinary.reset_config()
    server.shutdown()


@pytest.fixture
def sandbox(cloud: str) -> TwilioSandbox:
    return TwilioSandbox(media_url_prefix=f"{cloud}/v1_1/")


@pytest.fixture
def twilio(sandbox: TwilioSandbox) -> Iterator[Client]:
    server, base_url = serve(sandbox)
    client = Client(ACCOUNT_SID, AUTH_TOKEN, http_client=TwilioHttpClient(timeout=2))
    client.api.base_url = client.content.base_url = f"{base_url}{PREFIX}"
    yield client
    server.shutdown()


def pdf_variable(cloud: str, public_id: str = "invoices/INV-2026-0001.pdf", content: bytes = PDF) -> str:
    """Upload a private PDF; the part of its download link after the template's fixed media prefix."""
    cloudinary.uploader.upload(content, resource_type="raw", type="private", public_id=public_id)
    link: str = cloudinary.utils.private_download_url(public_id, "", resource_type="raw", type="private")
    return link.removeprefix(f"{cloud}/v1_1/")


def variables(media: str) -> str:
    return json.dumps(
        {"1": "Brouwerij De Klok", "2": "INV-2026-0001", "3": "EUR 1,210.00", "4": "https://x/p/1", "5": media}
    )


def send_invoice(twilio: Client, cloud: str, receiver: Receiver | None = None, **overrides: Any) -> Any:
    if "content_variables" not in overrides:
        overrides["content_variables"] = variables(pdf_variable(cloud))
    arguments = {
        "to": CUSTOMER,
        "from_": WHATSAPP_FROM,
        "content_sid": CONTENT_SIDS["invoice"],
        "status_callback": receiver.url if receiver else None,
        **overrides,
    }
    return twilio.messages.create(**arguments)


# --- the REST API ----------------------------------------------------------------------------------------------
def test_a_template_send_is_created_queued(twilio: Client, cloud: str, sandbox: TwilioSandbox) -> None:
    message = send_invoice(twilio, cloud)

    assert message.sid.startswith("MM") and len(message.sid) == 34
    assert (message.status, message.to, message.from_, message.error_code) == ("queued", CUSTOMER, WHATSAPP_FROM, None)
    assert message.num_media == "1" and message.direction == "outbound-api"
    assert message.body.startswith("Hello Brouwerij De Klok, invoice INV-2026-0001 for EUR 1,210.00 is attached.")
    assert message.date_created is not None
    assert twilio.messages(message.sid).fetch().status == "queued"
    [kept] = sandbox.messages
    assert kept.content_variables["2"] == "INV-2026-0001"


class Redirecting(TwilioHttpClient):  # type: ignore[misc]
    """The other way to reach the sandbox: rewrite the origin of each request the SDK makes."""

    def __init__(self, base_url: str) -> None:
        super().__init__(timeout=2)
        self.base_url = base_url

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        return super().request(method, url.replace("https://api.twilio.com", self.base_url), *args, **kwargs)


def test_an_sdk_whose_http_client_rewrites_the_origin_reaches_the_sandbox(
    twilio: Client, cloud: str, sandbox: TwilioSandbox
) -> None:
    client = Client(ACCOUNT_SID, AUTH_TOKEN, http_client=Redirecting(twilio.api.base_url))

    message = send_invoice(client, cloud)

    assert [kept.sid for kept in sandbox.messages] == [message.sid]


def test_a_wrong_auth_token_is_refused(sandbox: TwilioSandbox, twilio: Client) -> None:
    intruder = Client(ACCOUNT_SID, "0" * 32)
    intruder.api.base_url = twilio.api.base_url

    with pytest.raises(TwilioRestException) as refused:
        intruder.messages.create(to=CUSTOMER, from_=WHATSAPP_FROM, body="hi")

    assert (refused.value.status, refused.value.code) == (401, 20003)
    assert sandbox.messages == []


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"to": "whatsapp:+3247"}, 21211),
        ({"to": "+32470123456"}, 21910),
        ({"from_": "whatsapp:+32460999999"}, 63007),
        ({"content_sid": "HX" + "0" * 32}, 21655),
        ({"content_sid": "HX-not-a-sid"}, 21655),
        ({"content_variables": "not json"}, 21656),
        ({"content_variables": json.dumps({"1": ""})}, 21656),
        ({"content_variables": json.dumps({"1": "two\nlines"})}, 21656),
        ({"content_sid": None, "body": "hello"}, 21654),
        ({"content_sid": None, "content_variables": None}, 21619),
    ],
)
def test_twilio_refuses_a_bad_send_with_its_code(
    twilio: Client, cloud: str, sandbox: TwilioSandbox, overrides: dict[str, Any], code: int
) -> None:
    with pytest.raises(TwilioRestException) as refused:
        send_invoice(twilio, cloud, **overrides)

    assert (refused.value.status, refused.value.code) == (400, code)
    assert sandbox.messages == []


def test_a_variable_left_out_takes_the_template_default(twilio: Client, cloud: str) -> None:
    message = send_invoice(twilio, cloud, content_variables=json.dumps({"1": "Klok", "5": pdf_variable(cloud)}))

    assert "invoice INV-2026-0001 for EUR 1,210.00" in message.body  # the template's sample values


def test_an_unknown_message_is_a_twilio_404(twilio: Client) -> None:
    with pytest.raises(TwilioRestException) as missing:
        twilio.messages("SM" + "0" * 32).fetch()

    assert (missing.value.status, missing.value.code) == (404, 20404)


def test_the_content_api_lists_the_approved_templates(twilio: Client, cloud: str) -> None:
    contents = twilio.content.v1.contents.list()
    approval = twilio.content.v1.contents(CONTENT_SIDS["reminder"]).approval_fetch().fetch()

    assert {content.sid for content in contents} == set(CONTENT_SIDS.values())
    invoice = next(content for content in contents if content.sid == CONTENT_SIDS["invoice"])
    assert invoice.types["twilio/media"]["media"] == [f"{cloud}/v1_1/{{{{5}}}}"]
    assert approval.whatsapp is not None and approval.whatsapp["status"] == "approved"


# --- lifecycle and callbacks -------------------------------------------------------------------------------------
def test_each_step_posts_a_callback_that_the_validator_accepts(
    twilio: Client, cloud: str, sandbox: TwilioSandbox, receiver: Receiver
) -> None:
    message = send_invoice(twilio, cloud, receiver)

    sandbox.advance(message.sid, "read")

    assert receiver.statuses() == ["sent", "delivered", "read"]  # none for the initial status
    validator = RequestValidator(AUTH_TOKEN)
    for callback in receiver.received:
        assert validator.validate(receiver.url, callback.params, callback.signature)
    delivered = receiver.received[1].params
    assert delivered["MessageSid"] == delivered["SmsSid"] == message.sid
    assert (delivered["SmsStatus"], delivered["AccountSid"], delivered["ApiVersion"]) == (
        "delivered",
        ACCOUNT_SID,
        "2010-04-01",
    )
    assert (delivered["From"], delivered["To"], delivered["ChannelPrefix"]) == (WHATSAPP_FROM, CUSTOMER, "whatsapp")
    assert "ErrorCode" not in delivered
    assert twilio.messages(message.sid).fetch().status == "read"


def test_a_tampered_callback_fails_validation(
    twilio: Client, cloud: str, sandbox: TwilioSandbox, receiver: Receiver
) -> None:
    message = send_invoice(twilio, cloud, receiver)
    sandbox.advance(message.sid, "sent")
    [callback] = receiver.received

    tampered = {**callback.params, "MessageStatus": "delivered"}

    assert not RequestValidator(AUTH_TOKEN).validate(receiver.url, tampered, callback.signature)
    assert not RequestValidator("another-token").validate(receiver.url, callback.params, callback.signature)


def test_progress_moves_every_open_message_one_step(twilio: Client, cloud: str, sandbox: TwilioSandbox) -> None:
    first = send_invoice(twilio, cloud)
    sandbox.progress()
    second = send_invoice(twilio, cloud)

    sandbox.progress()

    assert [sandbox.message(sid).status for sid in (first.sid, second.sid)] == ["delivered", "sent"]


def test_fail_ends_a_message_with_the_channel_error(
    twilio: Client, cloud: str, sandbox: TwilioSandbox, receiver: Receiver
) -> None:
    message = send_invoice(twilio, cloud, receiver)
    sandbox.advance(message.sid, "sent")

    sandbox.fail(message.sid, error_code=63024, status="undelivered")

    fetched = twilio.messages(message.sid).fetch()
    assert (fetched.status, fetched.error_code) == ("undelivered", 63024)
    assert receiver.received[-1].params["ErrorCode"] == "63024"
    assert RequestValidator(AUTH_TOKEN).validate(
        receiver.url, receiver.received[-1].params, receiver.received[-1].signature
    )


def test_held_callbacks_can_arrive_out_of_order_and_twice(
    twilio: Client, cloud: str, sandbox: TwilioSandbox, receiver: Receiver
) -> None:
    message = send_invoice(twilio, cloud, receiver)
    sandbox.hold_callbacks = True
    sandbox.advance(message.sid, "delivered")
    assert receiver.received == []

    sandbox.release_callbacks(reverse=True)
    sandbox.redeliver(message.sid)

    assert receiver.statuses() == ["delivered", "sent", "delivered"]
    assert receiver.received[0].params == receiver.received[2].params
    assert [d.status_code for d in sandbox.callback_deliveries] == [204, 204]


def test_a_messaging_service_send_starts_accepted(
    twilio: Client, cloud: str, sandbox: TwilioSandbox, receiver: Receiver
) -> None:
    message = send_invoice(twilio, cloud, receiver, from_=None, messaging_service_sid=MESSAGING_SERVICE_SID)
    assert (message.status, message.from_) == ("accepted", None)

    sandbox.progress()

    assert receiver.statuses() == ["queued"]
    assert receiver.received[0].params["MessagingServiceSid"] == MESSAGING_SERVICE_SID
    assert sandbox.message(message.sid).from_ == WHATSAPP_FROM


def test_with_step_seconds_the_clock_moves_messages_on(cloud: str) -> None:
    sandbox = TwilioSandbox(media_url_prefix=f"{cloud}/v1_1/", step_seconds=2)
    server, base_url = serve(sandbox)
    try:
        client = Client(ACCOUNT_SID, AUTH_TOKEN)
        client.api.base_url = f"{base_url}{PREFIX}"
        message = send_invoice(client, cloud)
        sandbox.clock.advance(2)

        assert client.messages(message.sid).fetch().status == "sent"  # a request ticks the clock
    finally:
        server.shutdown()


# --- media and the session window ---------------------------------------------------------------------------------
def test_the_pdf_is_fetched_from_its_signed_link_on_sending(twilio: Client, cloud: str, sandbox: TwilioSandbox) -> None:
    message = send_invoice(twilio, cloud)

    sandbox.advance(message.sid, "sent")

    [fetched] = sandbox.message(message.sid).media_fetches
    assert (fetched.status, fetched.content_type, fetched.size) == (200, "application/pdf", len(PDF))
    assert fetched.url.startswith(f"{cloud}/v1_1/{CLOUD_NAME}/raw/download?")


def test_media_that_cannot_be_downloaded_fails_the_message_with_63019(
    twilio: Client, cloud: str, sandbox: TwilioSandbox, receiver: Receiver
) -> None:
    link = pdf_variable(cloud)
    cloudinary.uploader.destroy("invoices/INV-2026-0001.pdf", resource_type="raw", type="private")
    message = send_invoice(twilio, cloud, receiver, content_variables=variables(link))

    sandbox.advance(message.sid, "delivered")

    assert (sandbox.message(message.sid).status, sandbox.message(message.sid).error_code) == ("failed", 63019)
    assert sandbox.message(message.sid).media_fetches[0].status == 404
    assert receiver.statuses() == ["failed"]
    assert receiver.received[0].params["ErrorCode"] == "63019"


def test_media_of_another_type_than_the_template_fails_with_63021(
    twilio: Client, cloud: str, sandbox: TwilioSandbox
) -> None:
    image = pdf_variable(cloud, "invoices/logo.png", PNG)
    message = send_invoice(twilio, cloud, content_variables=variables(image))

    sandbox.progress()

    assert (sandbox.message(message.sid).status, sandbox.message(message.sid).error_code) == ("failed", 63021)


def test_free_form_text_outside_the_session_window_fails_with_63016(
    twilio: Client, sandbox: TwilioSandbox, receiver: Receiver
) -> None:
    message = twilio.messages.create(to=CUSTOMER, from_=WHATSAPP_FROM, body="Hello", status_callback=receiver.url)
    assert message.status == "queued"  # accepted first: the window is the channel's to judge

    sandbox.progress()

    assert (sandbox.message(message.sid).status, sandbox.message(message.sid).error_code) == ("failed", 63016)
    assert receiver.received[0].params["ErrorCode"] == "63016"


def test_free_form_media_inside_the_session_window_is_delivered(
    twilio: Client, cloud: str, sandbox: TwilioSandbox
) -> None:
    sandbox.open_session(CUSTOMER)
    link = f"{cloud}/v1_1/{pdf_variable(cloud)}"
    message = twilio.messages.create(to=CUSTOMER, from_=WHATSAPP_FROM, body="Your invoice", media_url=[link])

    sandbox.advance(message.sid, "delivered")

    assert sandbox.message(message.sid).status == "delivered"
    assert sandbox.message(message.sid).media_fetches[0].status == 200


def test_the_session_window_closes_after_24_hours(twilio: Client, sandbox: TwilioSandbox) -> None:
    sandbox.open_session(CUSTOMER)
    sandbox.clock.advance(24 * 3600)
    message = twilio.messages.create(to=CUSTOMER, from_=WHATSAPP_FROM, body="Hello")

    sandbox.progress()

    assert sandbox.message(message.sid).error_code == 63016


# --- faults and the control API --------------------------------------------------------------------------------------
@pytest.mark.parametrize(("kind", "code"), [("429", 20429), ("500", 20500), ("503", 20503)])
def test_an_injected_fault_answers_twilio_json_and_creates_nothing(
    twilio: Client, sandbox: TwilioSandbox, kind: str, code: int
) -> None:
    sandbox.faults.add({"kind": kind, "path": "/2010-04-01/", "method": "POST"})

    with pytest.raises(TwilioRestException) as failed:
        twilio.messages.create(to=CUSTOMER, from_=WHATSAPP_FROM, body="hi")

    assert (failed.value.status, failed.value.code) == (int(kind), code)
    assert sandbox.messages == []


def test_a_timeout_reaches_the_sdk_as_an_error(twilio: Client, sandbox: TwilioSandbox) -> None:
    sandbox.faults.add({"kind": "timeout", "seconds": 0.2})

    with pytest.raises(Exception, match=r"Connection aborted|RemoteDisconnected|Read timed out"):
        twilio.messages.create(to=CUSTOMER, from_=WHATSAPP_FROM, body="hi")
    assert sandbox.messages == []


def test_the_control_api_drives_a_message(twilio: Client, cloud: str, sandbox: TwilioSandbox) -> None:
    message = send_invoice(twilio, cloud)
    control = f"{twilio.api.base_url}/_sandbox"

    advanced = httpx.post(f"{control}/messages/{message.sid}/advance", json={"status": "delivered"})
    failed = httpx.post(f"{control}/messages/{message.sid}/fail", json={"error_code": 63032})
    listed = httpx.get(f"{control}/messages").json()["messages"]

    assert advanced.json()["statuses"] == ["queued", "sent", "delivered"]
    assert (failed.json()["status"], failed.json()["error_code"]) == ("failed", 63032)
    assert listed[0]["media_fetches"][0]["bytes"] == len(PDF)
    assert httpx.post(f"{control}/messages/SMnope/advance", json={}).status_code == 404
