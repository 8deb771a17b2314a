"""A live Ponto sandbox for connector tests, and a helper that links it the way a user does."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from html import unescape
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings

from banking.models import BankTransaction, TransactionStatus
from integrations.models import Connection
from sandboxes.ponto import PontoSandbox, serve

_HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


@pytest.fixture
def sandbox_size() -> int:
    """Bookings on the main account; a test module overrides it for big syncs."""
    return 300


@pytest.fixture
def access_token_lifetime() -> int:
    """Ponto's 1799 seconds; a test module overrides it for short-lived tokens."""
    return 1799


@pytest.fixture
def ponto(settings: Settings, sandbox_size: int, request: pytest.FixtureRequest) -> Iterator[PontoSandbox]:
    try:  # asked for by name, so modules that import this fixture need not import that one too
        access_token_lifetime = int(request.getfixturevalue("access_token_lifetime"))
    except pytest.FixtureLookupError:
        access_token_lifetime = 1799
    try:  # the demo organisation's clients' payments, for a module that asks for them
        customer_payments = request.getfixturevalue("customer_payments")
    except pytest.FixtureLookupError:
        customer_payments = ()
    # Synchronizations we ask for finish at once (a test that needs them slow says so).
    sandbox = PontoSandbox(
        transactions_per_account=sandbox_size,
        sync_running_after=0,
        sync_done_after=0,
        access_token_lifetime=access_token_lifetime,
        customer_payments=customer_payments,
    )
    server, base_url = serve(sandbox)
    settings.PONTO_API_URL = f"{base_url}/ponto-connect"
    settings.PONTO_AUTH_URL = f"{base_url}/ponto-connect/oauth2/auth"
    settings.PONTO_TOKEN_URL = f"{base_url}/ponto-connect/oauth2/token"
    settings.PONTO_REVOKE_URL = f"{base_url}/ponto-connect/oauth2/revoke"
    settings.PONTO_WEBHOOK_KEYS_URL = f"{base_url}/webhooks/keys"
    settings.PONTO_CLIENT_ID, settings.PONTO_CLIENT_SECRET = "sandbox-client", "sandbox-secret"
    settings.PONTO_REDIRECT_URI = "http://127.0.0.1:8000/connections/ponto/callback/"
    settings.PONTO_TIMEOUT_SECONDS = 2.0
    settings.PROVIDER_RETRY_BASE_DELAY = 0.01  # retries still happen, without the production waits
    sandbox.base_url = base_url  # type: ignore[attr-defined]
    try:
        yield sandbox
    finally:
        server.shutdown()


def control(sandbox: PontoSandbox, method: str, path: str, **kwargs: Any) -> Any:
    response = httpx.request(method, f"{sandbox.base_url}/_sandbox/{path}", timeout=10, **kwargs)  # type: ignore[attr-defined]
    response.raise_for_status()
    return response.json() if response.content else None


def consent_redirect(authorize_url: str, decision: str = "approve") -> str:
    """What a person does on Ponto's consent page: returns where Ponto sends the browser back."""
    page = httpx.get(authorize_url, timeout=10)
    assert page.status_code == 200, page.text
    fields = {name: unescape(value) for name, value in _HIDDEN.findall(page.text)}
    answer = httpx.post(authorize_url.split("?")[0], data={**fields, "decision": decision}, timeout=10)
    assert answer.status_code in (302, 303), answer.text
    return answer.headers["location"]


def inject(sandbox: PontoSandbox, kind: str, **spec: object) -> dict[str, Any]:
    """Make the sandbox fail requests (see sandboxes/ponto/faults.py)."""
    return dict(control(sandbox, "POST", "faults", json={"kind": kind, **spec}))


def link_ponto(client: Client) -> Connection:
    """Connect Ponto through the pages, approve the consent, come back: the connection."""
    start = client.post(reverse("integrations:ponto_connect"))
    assert start.status_code == 302
    back = urlsplit(consent_redirect(start["Location"]))
    response = client.get(back.path, {k: v[0] for k, v in parse_qs(back.query).items()})
    assert response.status_code == 302, response
    return Connection.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))


def ground_truth(sandbox: PontoSandbox) -> dict[str, dict[str, Any]]:
    accounts: list[dict[str, Any]] = sandbox.ground_truth()["accounts"]  # type: ignore[assignment]
    return {account["id"]: account for account in accounts}


def stored_booked(connection: Connection, account_external_id: str) -> tuple[list[str], Decimal]:
    rows = BankTransaction.objects.filter(
        connection=connection, account__external_id=account_external_id, status=TransactionStatus.BOOKED
    )
    return sorted(rows.values_list("external_id", flat=True)), sum(rows.values_list("amount", flat=True), Decimal(0))


def assert_matches_ground_truth(sandbox: PontoSandbox, connection: Connection) -> None:
    for account_id, truth in ground_truth(sandbox).items():
        ids, total = stored_booked(connection, account_id)
        assert len(ids) == truth["count"], account_id
        assert ids == sorted(t["id"] for t in truth["transactions"]), account_id
        assert total == Decimal(truth["sum"]), account_id
