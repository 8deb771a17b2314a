"""A bank's correction of an old booking reaches us within one sync, by default, through the
updated transactions of a Ponto synchronization (reference §6, §8)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from banking.models import BankAccount, BankTransaction
from integrations.models import Connection, SyncStatus
from integrations.runner import run_sync
from sandboxes.ponto import PontoSandbox
from tests.integrations.ponto.conftest import control, inject, link_ponto

pytestmark = pytest.mark.django_db


def correct_oldest_booking(ponto: PontoSandbox) -> tuple[str, Decimal]:
    """The bank corrects the main account's oldest booking, far below any overlap window."""
    oldest = ponto.accounts[0].transactions[0]
    corrected = oldest.amount + Decimal("100.00")
    control(ponto, "PATCH", f"transactions/{oldest.id}", json={"amount": float(corrected)})
    return oldest.id, corrected


def only_the_main_account(connection: Connection, ponto: PontoSandbox) -> None:
    """Sync the main account alone: its history is pages deep, so an old booking is not re-read."""
    BankAccount.objects.filter(connection=connection).exclude(external_id=ponto.accounts[0].id).update(included=False)


def stored_amount(transaction_id: str) -> Decimal:
    return BankTransaction.objects.get(external_id=transaction_id).amount


def test_a_correction_arrives_within_one_sync_with_default_settings(owner_client: Client, ponto: PontoSandbox):
    connection = link_ponto(owner_client)
    assert run_sync(connection.pk).status == SyncStatus.SUCCESS  # type: ignore[union-attr]
    control(ponto, "POST", "clock", json={"seconds": ponto.sync_cooldown + 1})
    transaction_id, corrected = correct_oldest_booking(ponto)

    run = run_sync(connection.pk)

    assert run is not None and run.status == SyncStatus.SUCCESS, run and run.error_message
    assert stored_amount(transaction_id) == corrected


def test_a_correction_pontos_own_synchronization_found_is_applied(owner_client: Client, ponto: PontoSandbox, settings):
    settings.PONTO_REQUEST_SYNCHRONIZATION = False
    connection = link_ponto(owner_client)
    run_sync(connection.pk)
    transaction_id, corrected = correct_oldest_booking(ponto)
    control(ponto, "POST", f"accounts/{ponto.accounts[0].id}/synchronize")  # nobody asked for it

    assert run_sync(connection.pk).status == SyncStatus.SUCCESS  # type: ignore[union-attr]

    assert stored_amount(transaction_id) == corrected
    assert control(ponto, "GET", "faults")["faults"] == []


def synced_then_corrected(owner_client: Client, ponto: PontoSandbox, settings) -> tuple[Connection, str, Decimal]:
    """The main account linked and synced, past Ponto's cooldown, then a booking corrected by
    the bank: (connection, the transaction's id, its corrected amount)."""
    settings.PONTO_REQUEST_SYNCHRONIZATION = True
    connection = link_ponto(owner_client)
    only_the_main_account(connection, ponto)
    run_sync(connection.pk)
    control(ponto, "POST", "clock", json={"seconds": ponto.sync_cooldown + 1})
    transaction_id, corrected = correct_oldest_booking(ponto)
    return connection, transaction_id, corrected


def test_an_interrupted_sync_resumes_the_synchronization_it_asked_for(
    owner_client: Client, ponto: PontoSandbox, settings
):
    connection, transaction_id, corrected = synced_then_corrected(owner_client, ponto, settings)
    inject(ponto, "500", path="/synchronizations/", times=None)  # reading the synchronizations fails

    failed = run_sync(connection.pk)
    control(ponto, "DELETE", "faults")
    resumed = run_sync(connection.pk)  # inside Ponto's cooldown: asking again would be refused

    assert failed is not None and failed.status == SyncStatus.FAILED
    assert resumed is not None and resumed.status == SyncStatus.SUCCESS, resumed and resumed.error_message
    assert stored_amount(transaction_id) == corrected


def test_a_retried_synchronization_request_is_the_same_synchronization(
    owner_client: Client, ponto: PontoSandbox, settings
):
    connection, transaction_id, corrected = synced_then_corrected(owner_client, ponto, settings)
    # Ponto creates the synchronization but its answer is lost: the request is retried.
    inject(ponto, "lost_answer", path="/synchronizations", times=1)

    run = run_sync(connection.pk)

    assert run is not None and run.status == SyncStatus.SUCCESS, run and run.error_message
    assert stored_amount(transaction_id) == corrected


def test_a_synchronization_is_applied_once(owner_client: Client, ponto: PontoSandbox):
    from integrations.ponto.models import PontoSynchronization

    connection = link_ponto(owner_client)
    run_sync(connection.pk)

    assert not PontoSynchronization.objects.open().exclude(synchronization_id="").exists()
    assert PontoSynchronization.objects.filter(outcome__startswith="applied").exists()
