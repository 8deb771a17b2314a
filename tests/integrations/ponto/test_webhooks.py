"""Ponto's signed webhooks: a valid one queues a sync, anything unsigned or tampered is refused."""

from __future__ import annotations

import base64
import hashlib
import json
import time
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from sandboxes.ponto import PontoSandbox
from tests.integrations.ponto.conftest import control, link_ponto

pytestmark = pytest.mark.django_db


class Catcher:
    """Captures what the sandbox delivers, so the test can replay it against our endpoint."""

    def __init__(self) -> None:
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        received: list[tuple[bytes, str]] = []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                received.append((body, self.headers.get("Signature", "")))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.received = received
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"


@pytest.fixture
def delivered(ponto: PontoSandbox) -> tuple[bytes, str]:
    catcher = Catcher()
    control(ponto, "POST", "webhooks", json={"url": catcher.url, "audience": "sandbox-client"})
    control(ponto, "POST", f"accounts/{ponto.accounts[0].id}/transactions", json={"count": 1})
    deadline = time.monotonic() + 10
    while not catcher.received and time.monotonic() < deadline:
        time.sleep(0.05)
    catcher.server.shutdown()
    assert catcher.received, "the sandbox delivered no webhook"
    return catcher.received[0]


def post(client: Client, body: bytes, signature: str) -> Any:
    return client.post(
        reverse("integrations:ponto_webhook"), body, content_type="application/json", HTTP_SIGNATURE=signature
    )


def test_a_valid_webhook_queues_a_sync_of_the_accounts_connection(
    owner_client: Client, ponto: PontoSandbox, delivered: tuple[bytes, str], task_queue: Any
):
    link_ponto(owner_client)
    task_queue.purge_queue()  # linking queued the first sync; count only what the webhook adds
    body, signature = delivered

    response = post(Client(), body, signature)

    assert response.status_code == 200
    assert task_queue.queue_size() == 1


@pytest.mark.parametrize("tamper", ["body", "signature", "unsigned", "garbage"])
def test_a_tampered_or_unsigned_webhook_is_refused(
    owner_client: Client, ponto: PontoSandbox, delivered: tuple[bytes, str], tamper: str, caplog, task_queue: Any
):
    link_ponto(owner_client)
    task_queue.purge_queue()  # linking queued the first sync; count only what the webhook adds
    body, signature = delivered
    if tamper == "body":
        payload = json.loads(body)
        payload["data"]["attributes"]["count"] = 999
        body = json.dumps(payload).encode()
    elif tamper == "signature":
        head, claims, _ = signature.split(".")
        signature = f"{head}.{claims}.{base64.urlsafe_b64encode(hashlib.sha512(b'x').digest()).decode().rstrip('=')}"
    elif tamper == "unsigned":
        signature = ""
    else:
        signature = "not.a.jwt"

    response = post(Client(), body, signature)

    assert response.status_code == 400
    assert task_queue.queue_size() == 0
    assert any("refused a Ponto webhook" in record.message for record in caplog.records)


def test_an_expired_or_future_signature_is_refused(ponto: PontoSandbox, delivered: tuple[bytes, str]):
    from integrations.ponto import webhooks

    body, signature = delivered
    claims = webhooks.verify(signature, body)

    with pytest.raises(webhooks.InvalidWebhook, match="expired"):
        webhooks.verify(signature, body, now=float(claims["exp"]) + 120)
    with pytest.raises(webhooks.InvalidWebhook, match="future"):
        webhooks.verify(signature, body, now=float(claims["iat"]) - 120)
