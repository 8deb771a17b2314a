"""A consent completes into one active connection or leaves nothing behind, and the same Ponto
organisation linked again is the connection it already has."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from banking.models import BankAccount
from core.models import AuditEvent
from integrations.models import Connection, ConnectionStatus, Credential, SyncRun
from integrations.runner import run_sync
from sandboxes.ponto import PontoSandbox
from tests.integrations.ponto.conftest import consent_redirect, control, inject, link_ponto

pytestmark = pytest.mark.django_db


def consent_callback(client: Client) -> Any:
    """Start a consent, approve it in Ponto and follow the callback: the final page."""
    start = client.post(reverse("integrations:ponto_connect"))
    back = urlsplit(consent_redirect(start["Location"]))
    return client.get(back.path, {k: v[0] for k, v in parse_qs(back.query).items()}, follow=True)


def test_a_consent_failing_after_the_code_exchange_leaves_nothing_and_revokes_its_tokens(
    owner_client: Client, ponto: PontoSandbox
):
    inject(ponto, "500", path="/accounts", times=None)

    page = consent_callback(owner_client)

    text = page.content.decode()
    assert page.status_code == 200
    assert "Ponto did not accept the consent" not in text
    assert "Nothing was linked" in text
    assert not Connection.objects.exists()
    assert not Credential.objects.exists()
    assert not BankAccount.objects.exists()
    tokens = control(ponto, "GET", "tokens")
    assert tokens["authorizationCodes"]["used"] == 1
    assert tokens["refreshTokens"]["active"] == 0  # the abandoned consent's integration is revoked


def test_after_a_failed_consent_nothing_is_synced_or_listed(owner_client: Client, ponto: PontoSandbox, capsys):
    inject(ponto, "500", path="/userinfo", times=None)
    consent_callback(owner_client)

    call_command("sync_connections", all=True)

    assert not Connection.objects.exists()
    assert not SyncRun.objects.exists()


def test_linking_the_same_ponto_organisation_again_renews_the_connection(owner_client: Client, ponto: PontoSandbox):
    first = link_ponto(owner_client)
    first_refresh = Credential.objects.get(connection=first).refresh_token

    second = link_ponto(owner_client)

    assert second.pk == first.pk
    assert Connection.objects.count() == 1
    assert BankAccount.objects.filter(connection=first).count() == len(ponto.accounts)
    assert Credential.objects.get(connection=first).refresh_token != first_refresh
    assert AuditEvent.objects.filter(action="connection.reauthorised", target_id=str(first.pk)).exists()


def test_linking_a_disconnected_ponto_organisation_revives_its_connection(owner_client: Client, ponto: PontoSandbox):
    first = link_ponto(owner_client)
    owner_client.post(reverse("integrations:connection_disconnect", args=[first.pk]))

    again = link_ponto(owner_client)

    assert again.pk == first.pk
    assert Connection.objects.count() == 1
    assert again.status == ConnectionStatus.ACTIVE
    assert Credential.objects.filter(connection=again).exists()


def test_a_pending_connection_is_never_synced(organization, ponto: PontoSandbox, capsys):
    from tests.factories import make_connection

    pending = make_connection(organization, status=ConnectionStatus.PENDING)

    call_command("sync_connections", all=True)
    call_command("sync_connections")

    assert run_sync(pending.pk) is None  # what the schedule's task calls
    assert not SyncRun.objects.filter(connection=pending).exists()
