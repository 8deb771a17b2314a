"""The e-invoice.be simulator's webhooks (peppol.md §3.7): the reference's signature test vector,
subscriptions, signed deliveries of document events, retries, redirects, test deliveries.

Deliveries go to a receiver on 127.0.0.1 that answers as each test scripts it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from sandboxes.einvoice import DEFAULT_API_KEY, PREFIX, SALES_INVOICE, EInvoiceSandbox, sample, serve, signature
from sandboxes.einvoice.seeding import UNREGISTERED_KBO

NOW = datetime(2026, 3, 16, 9, 30, tzinfo=UTC)
ALL_EVENTS = ["document.received", "document.sent", "document.sent.failed"]


# --- a scripted receiver ------------------------------------------------------------------------------
@dataclass
class Delivery:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    url: str
    answers: list[int] = field(default_factory=list)  # statuses to give, in turn; 200 once they run out
    deliveries: list[Delivery] = field(default_factory=list)
    arrived: threading.Condition = field(default_factory=threading.Condition)

    def wait_for(self, count: int, timeout: float = 5.0) -> list[Delivery]:
        with self.arrived:
            self.arrived.wait_for(lambda: len(self.deliveries) >= count, timeout)
            return list(self.deliveries)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            with script.arrived:  # recorded before answering: the sender sees nothing before the record
                headers = {key.lower(): value for key, value in self.headers.items()}
                script.deliveries.append(Delivery(self.path, headers, body))
                status = script.answers.pop(0) if script.answers else 200
                script.arrived.notify_all()
            self.send_response(status)
            if 300 <= status < 400:
                self.send_header("Location", "/redirected-here")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    script = Receiver(f"http://127.0.0.1:{server.server_port}/hooks/einvoice")
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    yield script
    server.shutdown()
    server.server_close()


@pytest.fixture
def sandbox() -> EInvoiceSandbox:
    return EInvoiceSandbox(seed=2026, now=lambda: NOW, webhook_backoff=(0.05, 0.1), webhook_timeout=2)


@pytest.fixture
def http(sandbox: EInvoiceSandbox) -> Iterator[httpx.Client]:
    server, base_url = serve(sandbox)
    headers = {"Authorization": f"Bearer {DEFAULT_API_KEY}"}
    with httpx.Client(base_url=f"{base_url}{PREFIX}", headers=headers, timeout=5) as client:
        yield client
    server.shutdown()


def subscribe(http: httpx.Client, url: str, events: list[str] | None = None, **extra: Any) -> dict[str, Any]:
    response = http.post("/api/webhooks/", json={"url": url, "events": events or ALL_EVENTS, **extra})
    assert response.status_code == 200, response.text
    subscription: dict[str, Any] = response.json()
    return subscription


def verified(delivery: Delivery, secret: str) -> dict[str, Any]:
    """The event, after checking X-Signature the way the reference's receiver does."""
    event: dict[str, Any] = json.loads(delivery.body)
    message = json.dumps(event, sort_keys=True).encode("utf-8")
    expected = "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(expected, delivery.headers["x-signature"])
    assert delivery.body == message  # the raw body verifies as well
    return event


def send_sales_invoice(http: httpx.Client, **params: str) -> str:
    upload = http.post("/api/documents/ubl", files={"file": ("invoice.xml", sample(SALES_INVOICE))})
    document_id = str(upload.json()["id"])
    assert http.post(f"/api/documents/{document_id}/send", params=params).status_code == 200
    assert http.post("/_sandbox/clock", json={"seconds": 5}).status_code == 200
    return document_id


# --- signature ---------------------------------------------------------------------------------------------
def test_the_signature_reproduces_the_references_test_vector():
    payload = {
        "document": {
            "id": "doc-1",
            "name": "test.xml",
            "size": 100,
            "type": "application/xml",
            "url": "https://example.com/test.xml",
        }
    }
    expected = "sha256=6722b498bf28ce7ca5a6f21c0fca9166e24dea480978b276725ff46e503dd70f"
    assert signature("secret", payload) == expected
    assert signature("secret", {**payload, "extra": 1}) != expected
    assert signature("other secret", payload) != expected


# --- subscriptions -----------------------------------------------------------------------------------------
def test_a_subscription_is_created_with_its_secret_then_read_changed_and_deleted(http: httpx.Client):
    created = subscribe(http, "https://app.example.com/hooks/einvoice", ["document.received"])
    assert created["secret"] and len(created["secret"]) >= 32 and created["enabled"] is True
    assert created["events"] == ["document.received"]
    assert http.get("/api/webhooks/").json() == [created]
    changed = http.put(f"/api/webhooks/{created['id']}", json={"enabled": False, "events": ALL_EVENTS}).json()
    assert (changed["enabled"], changed["events"], changed["url"]) == (False, ALL_EVENTS, created["url"])
    assert changed["secret"] == created["secret"]
    assert http.delete(f"/api/webhooks/{created['id']}").json() == {"is_deleted": True}
    assert http.get(f"/api/webhooks/{created['id']}").json() == {"detail": "Webhook not found"}


@pytest.mark.parametrize(
    ("body", "loc", "kind"),
    [
        ({"events": ALL_EVENTS}, ["body", "url"], "missing"),
        ({"url": "ftp://example.com/hook", "events": ALL_EVENTS}, ["body", "url"], "url_scheme"),
        ({"url": "https://example.com/hook", "events": ["document.deleted"]}, ["body", "events", 0], "enum"),
        ({"url": "https://example.com/hook", "events": "document.sent"}, ["body", "events"], "list_type"),
        ({"url": "https://example.com/hook", "events": ALL_EVENTS, "enabled": "yes"}, ["body", "enabled"], "bool_type"),
    ],
)
def test_a_subscription_that_does_not_fit_is_422(http: httpx.Client, body: dict[str, Any], loc: list[Any], kind: str):
    response = http.post("/api/webhooks/", json=body)
    assert response.status_code == 422
    error = response.json()["detail"][0]
    assert (error["loc"], error["type"]) == (loc, kind)
    assert http.get("/api/webhooks/").json() == []


# --- deliveries --------------------------------------------------------------------------------------------
def test_a_sent_document_is_announced_signed_with_the_subscriptions_secret(http: httpx.Client, receiver: Receiver):
    secret = subscribe(http, receiver.url)["secret"]
    document_id = send_sales_invoice(http)
    (delivery,) = receiver.wait_for(1)
    assert delivery.path == "/hooks/einvoice" and delivery.headers["content-type"] == "application/json"
    event = verified(delivery, secret)
    assert event["type"] == "document.sent" and event["id"].startswith("evt_")
    assert event["timestamp"] == "2026-03-16T09:30:05Z"
    assert event["data"]["document"]["id"] == document_id and event["data"]["document"]["state"] == "SENT"
    tampered = Delivery(delivery.path, delivery.headers, delivery.body.replace(b'"SENT"', b'"FAILED"'))
    with pytest.raises(AssertionError):
        verified(tampered, secret)


def test_a_failed_send_is_announced_as_document_sent_failed(http: httpx.Client, receiver: Receiver):
    secret = subscribe(http, receiver.url, ["document.sent.failed"])["secret"]
    document_id = send_sales_invoice(http, receiver_peppol_scheme="0208", receiver_peppol_id=UNREGISTERED_KBO)
    event = verified(receiver.wait_for(1)[0], secret)
    assert event["type"] == "document.sent.failed"
    assert event["data"]["document"]["id"] == document_id and event["data"]["document"]["state"] == "FAILED"


def test_each_copy_of_a_duplicate_delivery_is_announced(http: httpx.Client, receiver: Receiver):
    secret = subscribe(http, receiver.url, ["document.received"])["secret"]
    response = http.post("/_sandbox/inbox", json={"sample": "invoice-21-6", "copies": 2})
    documents = [document["id"] for document in response.json()["documents"]]
    events = [verified(delivery, secret) for delivery in receiver.wait_for(2)]
    assert sorted(event["data"]["document"]["id"] for event in events) == sorted(documents)
    assert {event["type"] for event in events} == {"document.received"}
    assert len({event["id"] for event in events}) == 2


def test_events_go_only_to_enabled_subscriptions_that_want_them(
    http: httpx.Client, sandbox: EInvoiceSandbox, receiver: Receiver
):
    subscribe(http, receiver.url, ["document.sent"])
    subscribe(http, receiver.url, ALL_EVENTS, enabled=False)
    http.post("/_sandbox/inbox", json={"sample": "credit-note"})
    assert sandbox.webhooks.wait(5)
    assert receiver.deliveries == []


def test_a_failed_delivery_is_retried_after_each_backoff(
    http: httpx.Client, sandbox: EInvoiceSandbox, receiver: Receiver
):
    receiver.answers = [500, 503]
    subscription = subscribe(http, receiver.url, ["document.received"])
    http.post("/_sandbox/inbox", json={"sample": "reverse-charge"})
    deliveries = receiver.wait_for(3)
    assert sandbox.webhooks.wait(5)
    assert len(deliveries) == 3 and len({delivery.body for delivery in deliveries}) == 1  # the same event each time
    history = http.get(f"/api/webhooks/{subscription['id']}/history").json()["history"]
    assert [(entry["attempt"], entry["status_code"], entry["success"]) for entry in history] == [
        (1, 500, False),
        (2, 503, False),
        (3, 200, True),
    ]


def test_a_redirect_is_not_followed_and_counts_as_a_failure(
    http: httpx.Client, sandbox: EInvoiceSandbox, receiver: Receiver
):
    receiver.answers = [302, 302, 302]
    subscription = subscribe(http, receiver.url, ["document.received"])
    http.post("/_sandbox/inbox", json={"sample": "credit-note"})
    assert sandbox.webhooks.wait(5)
    assert {delivery.path for delivery in receiver.deliveries} == {"/hooks/einvoice"}  # never /redirected-here
    history = http.get(f"/api/webhooks/{subscription['id']}/history").json()["history"]
    assert [(entry["status_code"], entry["success"]) for entry in history] == [(302, False)] * 3
    assert history[0]["error"] == "redirect not followed"


def test_credentials_in_the_url_are_sent_as_basic_auth(http: httpx.Client, receiver: Receiver):
    url = receiver.url.replace("http://", "http://hook-user:s3cret%21@")
    subscribe(http, url, ["document.received"])
    http.post("/_sandbox/inbox", json={"sample": "credit-note"})
    (delivery,) = receiver.wait_for(1)
    assert delivery.headers["authorization"] == "Basic " + base64.b64encode(b"hook-user:s3cret!").decode()


def test_a_test_delivery_reports_how_it_went(http: httpx.Client, receiver: Receiver):
    subscription = subscribe(http, receiver.url)
    body = {"event_type": "document.received", "data": {"document": {"id": "doc-test"}}}
    delivered = http.post(f"/api/webhooks/{subscription['id']}/test", json=body).json()
    assert delivered["success"] is True and delivered["webhook_delivery_result"]["status_code"] == 200
    event = verified(receiver.deliveries[0], subscription["secret"])
    assert (event["type"], event["data"]) == ("document.received", {"document": {"id": "doc-test"}})
    receiver.answers = [500]
    failed = http.post(f"/api/webhooks/{subscription['id']}/test", json=body).json()
    assert failed["success"] is False and failed["message"] == "Webhook delivery failed: HTTP 500"
    assert len(receiver.deliveries) == 2  # a test delivery is not retried
    unknown = http.post(f"/api/webhooks/{subscription['id']}/test", json={**body, "event_type": "document.lost"})
    assert unknown.status_code == 422


def test_a_past_event_can_be_delivered_again_unchanged(
    http: httpx.Client, sandbox: EInvoiceSandbox, receiver: Receiver
):
    subscribe(http, receiver.url, ["document.received"])
    http.post("/_sandbox/inbox", json={"sample": "with-warnings"})
    first = receiver.wait_for(1)[0]
    event_id = json.loads(first.body)["id"]
    assert http.post(f"/_sandbox/events/{event_id}/redeliver").status_code == 202
    second = receiver.wait_for(2)[1]
    assert second.body == first.body and second.headers["x-signature"] == first.headers["x-signature"]
    assert http.post("/_sandbox/events/evt_unknown/redeliver").status_code == 404
