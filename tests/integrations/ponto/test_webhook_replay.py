"""A webhook signature is accepted once while it is valid; unknown key ids cannot make us fetch
Ponto's key set more than once a minute; a webhook's synchronization is applied by the next sync."""

from __future__ import annotations

import base64
import datetime
import json
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from banking.models import BankTransaction
from integrations.models import SyncStatus
from integrations.runner import run_sync
from sandboxes.ponto import PontoSandbox
from tests.integrations.ponto.conftest import control, inject, link_ponto
from tests.integrations.ponto.test_webhooks import Catcher, post

pytestmark = pytest.mark.django_db


def deliveries(ponto: PontoSandbox, action: Any) -> list[tuple[bytes, str]]:
    """What the sandbox sends while `action` runs."""
    import time

    catcher = Catcher()
    control(ponto, "POST", "webhooks", json={"url": catcher.url, "audience": "sandbox-client"})
    before = len(catcher.received)
    action()
    deadline = time.monotonic() + 10
    while len(catcher.received) == before and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.2)
    catcher.server.shutdown()
    control(ponto, "DELETE", "webhooks")
    return catcher.received


def test_a_replayed_webhook_is_refused_and_not_processed_twice(
    owner_client: Client, ponto: PontoSandbox, task_queue: Any
):
    link_ponto(owner_client)
    task_queue.purge_queue()
    body, signature = deliveries(
        ponto, lambda: control(ponto, "POST", f"accounts/{ponto.accounts[0].id}/transactions", json={"count": 1})
    )[0]

    first = post(Client(), body, signature)
    replay = post(Client(), body, signature)

    assert first.status_code == 200
    assert replay.status_code == 400 and replay.json()["error"] == "replayed"
    assert task_queue.queue_size() == 1


def test_remembered_signatures_are_forgotten_once_expired(owner_client: Client, ponto: PontoSandbox):
    from integrations.ponto.models import PontoWebhookReceipt

    link_ponto(owner_client)
    PontoWebhookReceipt.objects.create(jti="old", expires_at=timezone.now() - datetime.timedelta(minutes=1))
    body, signature = deliveries(
        ponto, lambda: control(ponto, "POST", f"accounts/{ponto.accounts[0].id}/transactions", json={"count": 1})
    )[0]

    assert post(Client(), body, signature).status_code == 200

    assert list(PontoWebhookReceipt.objects.values_list("jti", flat=True)) == [
        json.loads(base64.urlsafe_b64decode(signature.split(".")[1] + "=="))["jti"]
    ]


def test_unknown_key_ids_fetch_the_key_set_at_most_once_a_minute(ponto: PontoSandbox):
    counter = inject(ponto, "500", path="/webhooks/keys", after=1_000, times=None)  # counts, never fires
    for number in range(5):
        assert post(Client(), b'{"data": {}}', forged(f"made-up-{number}")).status_code == 400

    assert key_set_requests(ponto, counter) == 1


def forged(kid: str) -> str:
    header = base64.urlsafe_b64encode(json.dumps({"alg": "RS512", "kid": kid}).encode())
    return f"{header.decode().rstrip('=')}.e30.c2ln"


def key_set_requests(ponto: PontoSandbox, fault: dict[str, Any]) -> int:
    faults = control(ponto, "GET", "faults")["faults"]
    return int(next(f for f in faults if f["id"] == fault["id"])["seen"])


NOTHING_REMEMBERED = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}


def test_unknown_key_ids_fetch_the_key_set_at_most_once_a_minute_when_the_cache_remembers_nothing(
    ponto: PontoSandbox, settings
):
    # As during a Redis outage: every read misses and every `add` succeeds.
    settings.CACHES = NOTHING_REMEMBERED
    counter = inject(ponto, "500", path="/webhooks/keys", after=1_000, times=None)  # counts, never fires
    for number in range(5):
        assert post(Client(), b'{"data": {}}', forged(f"made-up-{number}")).status_code == 400

    assert key_set_requests(ponto, counter) == 1


def test_valid_webhooks_fetch_the_key_set_once_when_the_cache_remembers_nothing(ponto: PontoSandbox, settings):
    settings.CACHES = NOTHING_REMEMBERED
    counter = inject(ponto, "500", path="/webhooks/keys", after=1_000, times=None)  # counts, never fires
    body = b'{"data": {}}'
    for _ in range(3):
        assert post(Client(), body, signed(ponto, body)).status_code == 200

    assert key_set_requests(ponto, counter) == 1


@pytest.mark.parametrize("caches", ["configured", "remembering nothing"])
def test_a_failed_key_set_fetch_is_not_tried_again_within_the_minute(ponto: PontoSandbox, settings, caches: str):
    if caches != "configured":
        settings.CACHES = NOTHING_REMEMBERED
    failing = inject(ponto, "500", path="/webhooks/keys", times=None)
    body = b'{"data": {}}'
    for _ in range(3):
        response = post(Client(), body, signed(ponto, body))
        assert response.status_code == 400 and response.json()["error"] == "invalid_signature"

    assert key_set_requests(ponto, failing) == 1


def test_the_synchronization_a_webhook_announces_is_applied(owner_client: Client, ponto: PontoSandbox, settings):
    settings.PONTO_REQUEST_SYNCHRONIZATION = False
    connection = link_ponto(owner_client)
    run_sync(connection.pk)
    oldest = ponto.accounts[0].transactions[0]
    corrected = oldest.amount + Decimal("100.00")
    sent = deliveries(
        ponto, lambda: control(ponto, "PATCH", f"transactions/{oldest.id}", json={"amount": float(corrected)})
    )
    control(ponto, "POST", f"accounts/{ponto.accounts[0].id}/synchronize")  # now Ponto's latest has no update

    assert post(Client(), *sent[0]).status_code == 200
    assert run_sync(connection.pk).status == SyncStatus.SUCCESS  # type: ignore[union-attr]

    assert BankTransaction.objects.get(external_id=oldest.id).amount == corrected


def signed(ponto: PontoSandbox, body: bytes, **claims: object) -> str:
    """A signature made with the sandbox's own key, with the given claims changed."""
    import hashlib
    import time
    import uuid

    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    from sandboxes.ponto.encoding import b64url
    from sandboxes.ponto.webhooks import _private_key

    now = int(time.time())
    payload = {
        "iss": "https://api.ibanity.com",
        "aud": "sandbox-client",
        "digest": base64.b64encode(hashlib.sha512(body).digest()).decode(),
        "iat": now,
        "exp": now + 60,
        "jti": str(uuid.uuid4()),
        **claims,
    }
    header = {"alg": "RS512", "typ": "JWT", "kid": ponto.webhooks.signer.kid}
    signing_input = ".".join(b64url(json.dumps(part).encode()) for part in (header, payload))
    signature = _private_key().sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA512())
    return f"{signing_input}.{b64url(signature)}"


@pytest.mark.parametrize(
    ("body", "claims"),
    [
        (b"[]", {}),  # a signed body that is not an object
        (b'{"data": "x"}', {}),
        (b'{"data": {}}', {"iat": "yesterday"}),
        (b'{"data": {}}', {"exp": None}),
        (b'{"data": {}}', {"jti": None}),
    ],
)
def test_a_signed_but_odd_webhook_is_refused_not_a_500(ponto: PontoSandbox, body: bytes, claims: dict[str, object]):
    response = post(Client(), body, signed(ponto, body, **claims))

    assert response.status_code in (200, 400)
    assert response.status_code == 200 or response.json()["error"] in ("invalid_signature", "replayed")
