"""The webhook endpoints' answers to what is not a genuine provider call."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from core.models import Organization
from payments.models import PaymentProviderAccount, Provider
from payments.providers.paystack import signature

pytestmark = pytest.mark.django_db

SECRET = "sk_test_" + "s" * 32


@pytest.fixture
def paystack_account(organization: Organization) -> PaymentProviderAccount:
    return PaymentProviderAccount.objects.create(
        organization=organization, provider=Provider.PAYSTACK, secret_key=SECRET
    )


def test_mollie_unknown_payment_id_is_acknowledged_without_detail(client: Client) -> None:
    response = client.post("/webhooks/mollie/", {"id": "tr_unknown123"})
    assert response.status_code == 200
    assert response.content == b""


@pytest.mark.parametrize("body", [{}, {"id": ""}, {"id": "re_123"}, {"id": "tr_" + "x" * 100}, {"id": "tr_a'b"}])
def test_mollie_without_a_payment_id_is_a_400(client: Client, body: dict[str, str]) -> None:
    response = client.post("/webhooks/mollie/", body)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_id"


def test_mollie_webhook_takes_only_post(client: Client) -> None:
    assert client.get("/webhooks/mollie/").status_code == 405


def _paystack(client: Client, account: PaymentProviderAccount, body: bytes, sig: str | None) -> int:
    headers = {"x-paystack-signature": sig} if sig is not None else {}
    url = f"/webhooks/paystack/{account.webhook_token}/"
    return client.post(url, body, content_type="application/json", headers=headers).status_code


def test_paystack_forged_or_missing_signature_is_a_401(
    client: Client, paystack_account: PaymentProviderAccount
) -> None:
    body = json.dumps({"event": "charge.success", "data": {"reference": "x"}}).encode()
    assert _paystack(client, paystack_account, body, signature(body, "sk_test_other")) == 401
    assert _paystack(client, paystack_account, body, None) == 401
    assert _paystack(client, paystack_account, body + b" ", signature(body, SECRET)) == 401


def test_paystack_unknown_account_is_a_404(client: Client) -> None:
    body = b"{}"
    response = client.post("/webhooks/paystack/nobody/", body, content_type="application/json")
    assert response.status_code == 404


@pytest.mark.parametrize("body", [b"not json", b"[]", b'{"event": "charge.success"}', b'{"event": "x", "data": 3}'])
def test_paystack_signed_garbage_is_a_400(
    client: Client, paystack_account: PaymentProviderAccount, body: bytes
) -> None:
    assert _paystack(client, paystack_account, body, signature(body, SECRET)) == 400


def test_paystack_signed_events_for_unknown_references_are_acknowledged(
    client: Client, paystack_account: PaymentProviderAccount
) -> None:
    for event in (
        {"event": "charge.success", "data": {"reference": "nope"}},
        {"event": "transfer.success", "data": {}},
    ):
        body = json.dumps(event).encode()
        assert _paystack(client, paystack_account, body, signature(body, SECRET)) == 200
