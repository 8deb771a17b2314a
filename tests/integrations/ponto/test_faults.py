"""Every fault Ponto can throw, injected mid-sync: classified, nothing lost or half-written,
and the next run completes to exactly the ground truth."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from banking.models import BankAccount, BankTransaction
from integrations.errors import FailureClass
from integrations.models import Connection, ConnectionStatus, Credential, SyncStatus
from integrations.runner import run_sync
from sandboxes.ponto import PontoSandbox
from tests.integrations.ponto.conftest import (
    assert_matches_ground_truth,
    consent_redirect,
    control,
    ground_truth,
    link_ponto,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def sandbox_size() -> int:
    return 1_500  # 15 pages on the main account: room to fail in the middle


def transactions_path(sandbox: PontoSandbox) -> str:
    return f"/accounts/{sandbox.accounts[0].id}/transactions"


def inject(sandbox: PontoSandbox, kind: str, **spec: object) -> None:
    control(sandbox, "POST", "faults", json={"kind": kind, **spec})


@pytest.mark.parametrize("kind", ["429", "500", "503", "timeout", "drop", "malformed"])
def test_a_passing_fault_is_retried_and_the_run_succeeds(owner_client: Client, ponto: PontoSandbox, settings, kind):
    settings.PONTO_TIMEOUT_SECONDS = 0.5
    connection = link_ponto(owner_client)
    inject(ponto, kind, path=transactions_path(ponto), after=3, times=2, seconds=1, retry_after=1)

    run = run_sync(connection.pk)

    assert run is not None and run.status == SyncStatus.SUCCESS, run and run.error_message
    assert_matches_ground_truth(ponto, connection)


@pytest.mark.parametrize("kind", ["429", "500", "503", "timeout", "drop", "malformed"])
def test_a_lasting_fault_fails_the_run_as_transient_keeping_what_was_fetched(
    owner_client: Client, ponto: PontoSandbox, settings, kind
):
    settings.PONTO_TIMEOUT_SECONDS = 0.5
    connection = link_ponto(owner_client)
    inject(ponto, kind, path=transactions_path(ponto), after=4, times=None, seconds=1, retry_after=1)

    failed = run_sync(connection.pk)

    connection.refresh_from_db()
    main = BankAccount.objects.get(connection=connection, external_id=ponto.accounts[0].id)
    assert failed is not None and failed.status == SyncStatus.FAILED
    assert failed.error_class == FailureClass.TRANSIENT
    assert connection.status == ConnectionStatus.ACTIVE and connection.consecutive_failures == 1
    # Whole pages fetched before the fault are kept; the walk was not finished, so no mark moved.
    assert BankTransaction.objects.filter(account=main).count() == 4 * 100
    assert main.newest_transaction_id == ""

    control(ponto, "DELETE", "faults")
    resumed = run_sync(connection.pk)
    assert resumed is not None and resumed.status == SyncStatus.SUCCESS
    truth = ground_truth(ponto).values()
    # The rows kept from the failed run are met again, not added twice.
    assert failed.rows_added + resumed.rows_added == sum(a["count"] + len(a["pending"]) for a in truth)
    assert_matches_ground_truth(ponto, connection)
    connection.refresh_from_db()
    assert connection.consecutive_failures == 0


def test_three_failures_in_a_row_raise_the_banner_and_tell_the_owners(owner_client: Client, ponto: PontoSandbox):
    connection = link_ponto(owner_client)
    inject(ponto, "500", path="/accounts", times=None)

    for _ in range(3):
        run_sync(connection.pk)

    connection.refresh_from_db()
    page = owner_client.get(reverse("home")).content.decode()
    assert connection.consecutive_failures == 3
    assert "failed to sync 3 times in a row" in page
    assert len(mail.outbox) == 1 and "keeps failing" in mail.outbox[0].subject


def test_expired_consent_needs_reauth_and_reauthorising_restores_the_sync(
    owner_client: Client, ponto: PontoSandbox, django_capture_on_commit_callbacks
):
    connection = link_ponto(owner_client)
    inject(ponto, "expired_consent", times=None)

    run = run_sync(connection.pk)

    connection.refresh_from_db()
    assert run is not None and run.error_class == FailureClass.AUTH
    assert connection.status == ConnectionStatus.NEEDS_REAUTH
    assert "needs to be re-authorised" in owner_client.get(reverse("invoices:invoice_list")).content.decode()
    assert len(mail.outbox) == 1 and "re-authorise" in mail.outbox[0].subject
    assert mail.outbox[0].to == ["owner@acme.example"]

    control(ponto, "DELETE", "faults")
    start = owner_client.post(reverse("integrations:connection_reauthorise", args=[connection.pk]))
    back = consent_redirect(start["Location"])
    with django_capture_on_commit_callbacks(execute=True):  # the banners go when the consent commits
        owner_client.get(reverse("integrations:ponto_callback") + "?" + back.split("?", 1)[1])

    connection.refresh_from_db()
    assert connection.status == ConnectionStatus.ACTIVE
    assert Connection.objects.count() == 1
    assert run_sync(connection.pk).status == SyncStatus.SUCCESS  # type: ignore[union-attr]
    assert "needs to be re-authorised" not in owner_client.get(reverse("home")).content.decode()
    assert_matches_ground_truth(ponto, connection)


def test_a_refused_refresh_token_needs_reauth(owner_client: Client, ponto: PontoSandbox):
    connection = link_ponto(owner_client)
    Credential.objects.filter(connection=connection).update(access_token_expires_at=timezone.now())
    inject(ponto, "revoked")

    run = run_sync(connection.pk)

    connection.refresh_from_db()
    assert run is not None and run.error_class == FailureClass.AUTH
    assert connection.status == ConnectionStatus.NEEDS_REAUTH
    assert "re-authorise" in connection.last_error or "refused" in connection.last_error


def test_tokens_are_refreshed_before_expiry_and_the_rotated_pair_is_kept(owner_client: Client, ponto: PontoSandbox):
    connection = link_ponto(owner_client)
    old = Credential.objects.get(connection=connection)
    # Issued 29.5 minutes ago with Ponto's 30-minute lifetime: 30 seconds left.
    Credential.objects.filter(pk=old.pk).update(
        access_token_expires_at=timezone.now() + datetime.timedelta(seconds=30),
        updated_at=timezone.now() - datetime.timedelta(seconds=1770),
    )

    assert run_sync(connection.pk).status == SyncStatus.SUCCESS  # type: ignore[union-attr]

    new = Credential.objects.get(pk=old.pk)
    assert new.refresh_token != old.refresh_token
    assert new.access_token != old.access_token
    assert new.access_token_expires_at > timezone.now() + datetime.timedelta(minutes=25)  # type: ignore[operator]
    assert control(ponto, "GET", "tokens")["refreshTokens"]["used"] == 1


def test_a_page_of_the_wrong_shape_is_transient_and_keeps_the_pages_before_it(
    owner_client: Client, ponto: PontoSandbox
):
    connection = link_ponto(owner_client)
    inject(ponto, "wrong_shape", path=transactions_path(ponto), after=2, times=None)

    failed = run_sync(connection.pk)

    main = BankAccount.objects.get(connection=connection, external_id=ponto.accounts[0].id)
    assert failed is not None and failed.status == SyncStatus.FAILED
    assert failed.error_class == FailureClass.TRANSIENT, failed.error_message
    assert BankTransaction.objects.filter(account=main).count() == 2 * 100
    control(ponto, "DELETE", "faults")
    assert run_sync(connection.pk).status == SyncStatus.SUCCESS  # type: ignore[union-attr]
    assert_matches_ground_truth(ponto, connection)
