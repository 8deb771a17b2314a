"""Bank data arrives complete and exactly once: the sync against the sandbox's ground truth."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from banking.models import BankTransaction, TransactionStatus
from integrations.models import Connection, SyncRun, SyncStatus
from integrations.runner import run_sync
from sandboxes.ponto import PontoSandbox
from tests.integrations.ponto.conftest import assert_matches_ground_truth, control, ground_truth, link_ponto

pytestmark = pytest.mark.django_db


def main_account(sandbox: PontoSandbox) -> str:
    return str(sandbox.accounts[0].id)


def sync(connection: Connection) -> SyncRun:
    run = run_sync(connection.pk)
    assert run is not None
    assert run.status == SyncStatus.SUCCESS, run.error_message
    return run


@pytest.mark.parametrize("sandbox_size", [20_000])
def test_initial_sync_equals_the_ground_truth_and_a_second_adds_nothing(owner_client: Client, ponto: PontoSandbox):
    connection = link_ponto(owner_client)

    first = sync(connection)
    assert_matches_ground_truth(ponto, connection)
    second = sync(connection)

    truth = ground_truth(ponto)
    assert truth[main_account(ponto)]["count"] >= 20_000
    assert first.rows_added == sum(account["count"] + len(account["pending"]) for account in truth.values())
    assert (second.rows_added, second.rows_updated) == (0, 0)
    assert second.pages_fetched < first.pages_fetched / 20  # the walk stops at the high-water mark
    assert_matches_ground_truth(ponto, connection)


def test_new_transactions_appear_and_updates_replace_not_duplicate(owner_client: Client, ponto: PontoSandbox):
    connection = link_ponto(owner_client)
    sync(connection)
    account = main_account(ponto)
    added = control(ponto, "POST", f"accounts/{account}/transactions", json={"count": 7})
    newest = ground_truth(ponto)[account]["transactions"][0]["id"]
    control(ponto, "PATCH", f"transactions/{newest}", json={"remittanceInformation": "Corrected text"})

    run = sync(connection)

    assert len(added["data"] if isinstance(added, dict) else added) == 7
    assert run.rows_added == 7
    assert BankTransaction.objects.get(external_id=newest).remittance_information == "Corrected text"
    assert_matches_ground_truth(ponto, connection)


def test_an_older_transaction_corrected_inside_the_overlap_window_is_updated(owner_client: Client, ponto: PontoSandbox):
    connection = link_ponto(owner_client)
    sync(connection)
    account = main_account(ponto)
    recent = ground_truth(ponto)[account]["transactions"][3]["id"]
    control(ponto, "PATCH", f"transactions/{recent}", json={"counterpartName": "Renamed Supplier NV"})

    run = sync(connection)

    assert run.rows_updated == 1
    assert BankTransaction.objects.get(external_id=recent).counterpart_name == "Renamed Supplier NV"


def test_pending_transactions_are_kept_apart_and_never_counted_twice(owner_client: Client, ponto: PontoSandbox):
    connection = link_ponto(owner_client)
    account = main_account(ponto)
    created = control(ponto, "POST", f"accounts/{account}/pending", json={"count": 1})
    pending_id = (created["data"] if isinstance(created, dict) else created)[0]["id"]
    sync(connection)
    assert BankTransaction.objects.get(external_id=pending_id).status == TransactionStatus.PENDING

    booked = control(ponto, "POST", f"pending/{pending_id}/book", json={})
    booked_id = (booked.get("data") or booked)["id"] if isinstance(booked, dict) else booked[0]["id"]
    sync(connection)

    assert not BankTransaction.objects.filter(external_id=pending_id).exists()
    assert BankTransaction.objects.get(external_id=booked_id).status == TransactionStatus.BOOKED
    assert_matches_ground_truth(ponto, connection)


def test_amounts_are_exact_decimals(owner_client: Client, ponto: PontoSandbox):
    connection = link_ponto(owner_client)
    sync(connection)
    account = main_account(ponto)
    stored = {t.external_id: t.amount for t in BankTransaction.objects.filter(account__external_id=account)}
    for row in ground_truth(ponto)[account]["transactions"]:
        assert stored[row["id"]] == Decimal(row["amount"])


def test_a_second_trigger_while_a_sync_runs_is_coalesced(owner_client: Client, ponto: PontoSandbox):
    from integrations import runner

    connection = link_ponto(owner_client)
    token = runner.claim(connection.pk)
    assert token is not None

    assert run_sync(connection.pk) is None
    assert not SyncRun.objects.filter(connection=connection).exists()
    runner.release(connection.pk, token)
    assert run_sync(connection.pk) is not None
