"""One bank account linked through the Ponto sandbox and as a bank ledger account of the Yuki
sandbox (the two sandboxes share the bank's accounts): the dashboard shows one position."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from banking.models import BankAccount
from core.models import AuditEvent
from integrations.models import Connection, SyncStatus
from integrations.runner import run_sync
from sandboxes.ponto import PontoSandbox
from sandboxes.yuki import YukiSandbox
from tests.integrations.ponto.conftest import link_ponto, ponto, sandbox_size  # noqa: F401 - fixtures
from tests.integrations.yuki.conftest import link_yuki, main_truth, yuki  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db


def synced(connection: Connection) -> None:
    run = run_sync(connection.pk)
    assert run is not None and run.status == SyncStatus.SUCCESS, run and run.error_message


def position(client: Client) -> dict[str, Any]:
    response = client.get(reverse("dashboards:chart_json", args=["position"]))
    assert response.status_code == 200
    data: dict[str, Any] = json.loads(response.content)
    return data


def test_an_account_linked_through_ponto_and_yuki_shows_one_position(
    owner_client: Client,
    ponto: PontoSandbox,  # noqa: F811
    yuki: YukiSandbox,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    bank = main_truth(yuki)["bankAccounts"][0]  # Yuki's ledger 550000 books the bank's main account
    with django_capture_on_commit_callbacks(execute=True):
        ponto_connection = link_ponto(owner_client)
        synced(ponto_connection)
        yuki_connection = link_yuki(owner_client, yuki)
        synced(yuki_connection)
    from_ponto = BankAccount.objects.get(connection=ponto_connection, iban=bank["iban"])
    ledger = BankAccount.objects.get(connection=yuki_connection, external_id=f"gl:{bank['code']}")
    before = position(owner_client)
    assert ledger.iban == ""  # Yuki does not say which bank account a ledger account books

    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(
            yuki_connection.get_absolute_url(),
            {
                "accounts": [a.pk for a in yuki_connection.accounts.all()],
                f"iban-{ledger.pk}": " ".join(bank["iban"][i : i + 4] for i in range(0, len(bank["iban"]), 4)),
            },
        )

    assert response.status_code == 302
    ledger.refresh_from_db()
    assert ledger.iban == bank["iban"]
    after = position(owner_client)
    rows = [row for row in after["rows"] if row["iban"] == bank["iban"]]
    assert len(rows) == 1 and Decimal(rows[0]["balance"]) == from_ponto.current_balance
    assert "also linked through" in rows[0]["source"] and rows[0]["source"].startswith("Ponto")
    assert after["summary"]["accounts"] == before["summary"]["accounts"] - 1
    assert Decimal(after["summary"]["total"]) == Decimal(before["summary"]["total"]) - ledger.current_balance
    assert AuditEvent.objects.filter(action="connection.ledger_ibans_set").count() == 1


def test_a_wrong_iban_is_refused_with_a_message(owner_client: Client, yuki: YukiSandbox):  # noqa: F811
    connection = link_yuki(owner_client, yuki)
    synced(connection)
    ledger = connection.accounts.get(external_id="gl:550000")

    response = owner_client.post(
        connection.get_absolute_url(), {"accounts": [ledger.pk], f"iban-{ledger.pk}": "BE00 1234"}, follow=True
    )

    assert "BE00 1234 is not a valid IBAN" in response.content.decode()
    ledger.refresh_from_db()
    assert ledger.iban == ""
