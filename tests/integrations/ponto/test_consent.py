"""Linking Ponto through its consent page: state, PKCE, denial, tokens encrypted at rest."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection as db
from django.test import Client
from django.urls import reverse

from banking.models import BankAccount
from core.models import AuditEvent
from integrations.models import Connection, ConnectionStatus, Credential
from sandboxes.ponto import PontoSandbox
from tests.integrations.ponto.conftest import consent_redirect, control, link_ponto

pytestmark = pytest.mark.django_db


def callback_params(location: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}


def test_consent_links_the_accounts_and_stores_tokens_encrypted(owner_client: Client, ponto: PontoSandbox):
    connection = link_ponto(owner_client)

    assert connection.status == ConnectionStatus.ACTIVE
    assert connection.display_name.startswith("Ponto")
    assert BankAccount.objects.filter(connection=connection).count() == len(ponto.accounts)
    credential = Credential.objects.get(connection=connection)
    with db.cursor() as cursor:
        cursor.execute("SELECT access_token, refresh_token FROM integrations_credential")
        stored = " ".join(cursor.fetchone())
    assert credential.access_token and credential.refresh_token
    assert credential.access_token not in stored and credential.refresh_token not in stored
    assert AuditEvent.objects.filter(action="connection.created", target_id=str(connection.pk)).exists()


def test_authorization_request_carries_state_and_pkce(owner_client: Client, ponto: PontoSandbox):
    start = owner_client.post(reverse("integrations:ponto_connect"))
    params = callback_params(start["Location"])

    assert params["code_challenge_method"] == "S256"
    assert len(params["code_challenge"]) == 43
    assert len(params["state"]) >= 32
    assert params["client_id"] == "sandbox-client"


def test_denied_consent_links_nothing_and_says_so(owner_client: Client, ponto: PontoSandbox):
    start = owner_client.post(reverse("integrations:ponto_connect"))
    back = consent_redirect(start["Location"], decision="deny")

    response = owner_client.get(reverse("integrations:ponto_callback"), callback_params(back), follow=True)

    assert "You declined the consent" in response.content.decode()
    assert not Connection.objects.exists()


@pytest.mark.parametrize("tamper", ["missing", "wrong", "reused"])
def test_bad_state_is_refused(owner_client: Client, ponto: PontoSandbox, tamper: str):
    start = owner_client.post(reverse("integrations:ponto_connect"))
    params = callback_params(consent_redirect(start["Location"]))
    if tamper == "reused":
        owner_client.get(reverse("integrations:ponto_callback"), params)
        Connection.objects.all().delete()
    elif tamper == "wrong":
        params["state"] = "x" * 43
    else:
        del params["state"]

    response = owner_client.get(reverse("integrations:ponto_callback"), params, follow=True)

    assert "unknown or was already used" in response.content.decode()
    assert not Connection.objects.exists()


def test_state_from_another_browser_session_is_refused(owner_client: Client, owner, ponto: PontoSandbox):
    start = owner_client.post(reverse("integrations:ponto_connect"))
    params = callback_params(consent_redirect(start["Location"]))
    other = Client()
    other.force_login(owner)

    response = other.get(reverse("integrations:ponto_callback"), params, follow=True)

    assert "unknown or was already used" in response.content.decode()
    assert not Connection.objects.exists()


def test_a_wrong_pkce_verifier_is_refused_by_ponto(owner_client: Client, ponto: PontoSandbox):
    start = owner_client.post(reverse("integrations:ponto_connect"))
    params = callback_params(consent_redirect(start["Location"]))
    session = owner_client.session
    session["ponto_consents"][params["state"]]["verifier"] = "not-the-verifier-" + "x" * 40
    session.save()

    response = owner_client.get(reverse("integrations:ponto_callback"), params, follow=True)

    assert "Ponto did not accept the consent" in response.content.decode()
    assert not Connection.objects.exists()


def test_viewer_cannot_start_a_consent(organization, ponto: PontoSandbox):
    from core.models import Role
    from tests.factories import member
    from tests.helpers import logged_in_client

    viewer = logged_in_client(member(organization, Role.VIEWER))
    assert viewer.post(reverse("integrations:ponto_connect")).status_code == 403


def test_disconnect_revokes_the_token_at_ponto(owner_client: Client, ponto: PontoSandbox):
    connection = link_ponto(owner_client)
    before = control(ponto, "GET", "tokens")

    owner_client.post(reverse("integrations:connection_disconnect", args=[connection.pk]))

    after = control(ponto, "GET", "tokens")
    connection.refresh_from_db()
    assert connection.status == ConnectionStatus.DISCONNECTED
    assert not Credential.objects.filter(connection=connection).exists()
    assert before["refreshTokens"]["active"] == 1
    assert after["refreshTokens"]["active"] == 0
    assert after["refreshTokens"]["revoked"] == before["refreshTokens"]["revoked"] + 1


def test_a_revocation_ponto_refuses_still_disconnects_and_is_audited_and_told(
    owner_client: Client, ponto: PontoSandbox
):
    connection = link_ponto(owner_client)
    control(ponto, "POST", "faults", json={"kind": "503", "path": "/oauth2/revoke", "times": None})

    response = owner_client.post(reverse("integrations:connection_disconnect", args=[connection.pk]), follow=True)

    connection.refresh_from_db()
    assert connection.status == ConnectionStatus.DISCONNECTED
    assert not Credential.objects.filter(connection=connection).exists()
    assert control(ponto, "GET", "tokens")["refreshTokens"]["active"] == 1  # still live at Ponto
    assert "revoke the integration in Ponto too" in response.content.decode()
    events = list(AuditEvent.objects.filter(target_id=str(connection.pk)).values_list("action", flat=True))
    assert "connection.disconnected" in events and "connection.revocation_unconfirmed" in events
