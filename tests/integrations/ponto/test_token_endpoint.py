"""Faults of Ponto's token endpoint are retried and classified like the API's, and a short-lived
access token is used for most of its life instead of being refreshed before every call."""

from __future__ import annotations

import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from integrations.errors import FailureClass
from integrations.models import Connection, ConnectionStatus, Credential, SyncStatus
from integrations.runner import run_sync
from sandboxes.ponto import PontoSandbox
from tests.integrations.ponto.conftest import consent_redirect, control, inject, link_ponto

pytestmark = pytest.mark.django_db

TOKEN_FAULTS = ["429", "500", "503", "malformed"]  # JSON:API 429 with Retry-After, 5xx, garbled 200


def expire_access_token(connection: Connection) -> None:
    Credential.objects.filter(connection=connection).update(
        access_token_expires_at=timezone.now(), updated_at=timezone.now() - datetime.timedelta(minutes=30)
    )


@pytest.mark.parametrize("kind", TOKEN_FAULTS)
def test_a_passing_token_endpoint_fault_is_retried(owner_client: Client, ponto: PontoSandbox, kind: str):
    connection = link_ponto(owner_client)
    expire_access_token(connection)
    inject(ponto, kind, path="/oauth2/token", times=2, retry_after=0)

    run = run_sync(connection.pk)

    assert run is not None and run.status == SyncStatus.SUCCESS, run and run.error_message
    assert control(ponto, "GET", "tokens")["refreshTokens"]["used"] == 1


@pytest.mark.parametrize("kind", TOKEN_FAULTS)
def test_a_lasting_token_endpoint_fault_fails_the_run_as_transient(
    owner_client: Client, ponto: PontoSandbox, kind: str
):
    connection = link_ponto(owner_client)
    expire_access_token(connection)
    inject(ponto, kind, path="/oauth2/token", times=None, retry_after=0)

    run = run_sync(connection.pk)

    connection.refresh_from_db()
    assert run is not None and run.status == SyncStatus.FAILED
    assert run.error_class == FailureClass.TRANSIENT, run.error_message
    assert connection.status == ConnectionStatus.ACTIVE
    assert connection.next_run_at is not None
    assert connection.next_run_at < timezone.now() + datetime.timedelta(minutes=10)  # not a 6-hour wait


@pytest.mark.parametrize("kind", TOKEN_FAULTS)
def test_a_token_endpoint_fault_during_the_consent_is_a_message_not_a_500(
    owner_client: Client, ponto: PontoSandbox, kind: str
):
    start = owner_client.post(reverse("integrations:ponto_connect"))
    back = urlsplit(consent_redirect(start["Location"]))
    inject(ponto, kind, path="/oauth2/token", times=None, retry_after=0)

    page = owner_client.get(back.path, {k: v[0] for k, v in parse_qs(back.query).items()}, follow=True)

    assert page.status_code == 200
    assert "Ponto could not be reached" in page.content.decode()
    assert not Connection.objects.exists()


class TestShortLivedAccessTokens:
    @pytest.fixture
    def access_token_lifetime(self) -> int:
        return 60

    def test_a_short_lived_token_is_not_refreshed_before_every_call(self, owner_client: Client, ponto: PontoSandbox):
        connection = link_ponto(owner_client)
        expires_at = Credential.objects.get(connection=connection).access_token_expires_at
        assert expires_at is not None and expires_at < timezone.now() + datetime.timedelta(seconds=61)

        run = run_sync(connection.pk)

        assert run is not None and run.status == SyncStatus.SUCCESS, run and run.error_message
        assert len(run.request_ids) >= 5
        assert control(ponto, "GET", "tokens")["refreshTokens"]["used"] == 0

    def test_it_is_refreshed_before_it_lapses(self, owner_client: Client, ponto: PontoSandbox):
        connection = link_ponto(owner_client)
        Credential.objects.filter(connection=connection).update(
            access_token_expires_at=timezone.now() + datetime.timedelta(seconds=10),
            updated_at=timezone.now() - datetime.timedelta(seconds=50),
        )

        assert run_sync(connection.pk).status == SyncStatus.SUCCESS  # type: ignore[union-attr]

        assert control(ponto, "GET", "tokens")["refreshTokens"]["used"] == 1
