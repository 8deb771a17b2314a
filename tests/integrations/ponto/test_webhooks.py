"""Ponto's signed webhooks: a valid one queues a sync, anything unsigned or tampered is refused."""

from __future__ import annotations

import base64
import hashlib
import hmac
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


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def with_header(signature: str, header: dict[str, str], sign: Any) -> str:
    """The signature's claims under another header, signed by `sign(signing input)`."""
    signing_input = f"{b64(json.dumps(header).encode())}.{signature.split('.')[1]}"
    return f"{signing_input}.{b64(sign(signing_input.encode()))}"


def test_a_signature_made_with_ponto_s_key_is_verified(ponto: PontoSandbox):
    from integrations.ponto.webhooks import verify
    from tests.integrations.ponto.test_webhook_replay import signed

    body = b'{"data": {}}'
    genuine = signed(ponto, body)

    assert verify(genuine, body)["digest"] == base64.b64encode(hashlib.sha512(body).digest()).decode()


@pytest.mark.parametrize("algorithm", ["none", "HS256", "HS512"])
def test_an_unsigned_or_hmac_signature_is_refused(ponto: PontoSandbox, algorithm: str):
    """`none` needs no key; an HMAC keyed with the published public key is the classic confusion."""
    from joserfc.jwk import RSAKey

    from integrations.ponto.webhooks import InvalidWebhook, verify
    from tests.integrations.ponto.test_webhook_replay import signed

    body = b'{"data": {}}'
    published = ponto.webhooks.signer.jwks()["keys"]
    assert isinstance(published, list)
    public_pem = RSAKey.import_key(published[0]).as_pem(private=False)
    digests = {"HS256": hashlib.sha256, "HS512": hashlib.sha512}
    header = {"alg": algorithm, "typ": "JWT", "kid": ponto.webhooks.signer.kid}
    forged = with_header(
        signed(ponto, body),
        header,
        lambda data: b"" if algorithm == "none" else hmac.new(public_pem, data, digests[algorithm]).digest(),
    )

    with pytest.raises(InvalidWebhook, match="not a JWT signed RS512"):
        verify(forged, body)


@pytest.mark.parametrize(
    ("claims", "refusal"),
    [
        ({"iss": "https://attacker.example"}, "iss"),
        ({"aud": "another-application"}, "aud"),
        ({"digest": None}, "digest"),
        ({"jti": "x" * 201}, "jti"),
    ],
)
def test_a_signature_with_the_wrong_claims_is_refused(ponto: PontoSandbox, claims: dict[str, Any], refusal: str):
    from integrations.ponto.webhooks import InvalidWebhook, verify
    from tests.integrations.ponto.test_webhook_replay import signed

    body = b'{"data": {}}'

    with pytest.raises(InvalidWebhook, match=refusal):
        verify(signed(ponto, body, **claims), body)
