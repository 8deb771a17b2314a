"""Linking Ponto: remember a single-use state and PKCE verifier, then take the callback.

A consent either completes into one active connection or leaves nothing behind: the code is
exchanged and the Ponto organisation described (userinfo, accounts) before anything is
written, and then one transaction stores the tokens, the accounts and the audit event. The
same Ponto organisation linked again is the connection it already has, not a second one.
"""

from __future__ import annotations

import datetime
import logging
import secrets
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext

from banking.models import BankAccount
from core.audit import record_event
from core.models import Organization, User
from integrations import services
from integrations.errors import AuthError, PermanentError, ProviderError
from integrations.models import Connection, ConnectionStatus, Provider, SyncTrigger
from integrations.ponto import oauth, tokens
from integrations.ponto.client import PontoClient
from integrations.ponto.mapping import account_fields

logger = logging.getLogger(__name__)

CONSENT_SESSION_KEY = "ponto_consents"
CONSENT_LIFETIME = datetime.timedelta(minutes=15)


class ConsentError(Exception):
    """The consent callback cannot be accepted; the message says why, in words for the user."""


def begin_ponto_consent(request: HttpRequest, organization: Organization, connection: Connection | None = None) -> str:
    """Remember a single-use state and PKCE verifier in the session; return Ponto's consent URL."""
    state, verifier = secrets.token_urlsafe(32), oauth.new_code_verifier()
    pending: dict[str, Any] = request.session.get(CONSENT_SESSION_KEY, {})
    now = timezone.now()
    pending = {key: value for key, value in pending.items() if value["expires"] > now.timestamp()}
    pending[state] = {
        "verifier": verifier,
        "organization": organization.pk,
        "connection": connection.pk if connection else None,
        "expires": (now + CONSENT_LIFETIME).timestamp(),
    }
    request.session[CONSENT_SESSION_KEY] = pending
    return oauth.authorization_url(state, verifier)


def _pop_consent(request: HttpRequest, state: str, organization: Organization) -> dict[str, Any]:
    pending: dict[str, Any] = request.session.get(CONSENT_SESSION_KEY, {})
    consent = pending.pop(state, None) if state else None
    request.session[CONSENT_SESSION_KEY] = pending
    if consent is None:
        raise ConsentError(gettext("This consent link is unknown or was already used. Please connect again."))
    if consent["expires"] < timezone.now().timestamp():
        raise ConsentError(gettext("The consent took too long and expired. Please connect again."))
    if consent["organization"] != organization.pk:
        raise ConsentError(
            gettext("This consent was started in another organisation. Switch to it, then connect again.")
        )
    return dict(consent)


def discard_consent(request: HttpRequest, state: str) -> None:
    pending: dict[str, Any] = request.session.get(CONSENT_SESSION_KEY, {})
    pending.pop(state, None)
    request.session[CONSENT_SESSION_KEY] = pending


def complete_ponto_consent(
    request: HttpRequest, organization: Organization, actor: User, *, state: str, code: str
) -> Connection:
    """The connection the consent links (new, re-authorised or revived); ConsentError with words
    for the user when it cannot, having written nothing."""
    consent = _pop_consent(request, state, organization)
    try:
        token_set = oauth.exchange_code(code, consent["verifier"])
    except (AuthError, PermanentError) as exc:
        raise ConsentError(
            gettext("Ponto did not accept the consent: %(reason)s Please try again.") % {"reason": exc.message}
        ) from exc
    except ProviderError as exc:
        raise ConsentError(
            gettext("Ponto could not be reached to complete the consent (%(reason)s) Please try again.")
            % {"reason": exc.message}
        ) from exc
    info: dict[str, Any] = {}
    try:
        info, resources = _describe(token_set)
        with transaction.atomic():
            connection, action, before = _link(organization, actor, consent["connection"], info, token_set, resources)
            record_event(
                action,
                request=request,
                actor=actor,
                organization=organization,
                target=connection,
                before=before,
                after={"provider": connection.provider, "name": connection.display_name, "scope": token_set.scope},
            )
    except (ProviderError, ConsentError) as exc:
        _abandon(organization, token_set, sub=str(info.get("sub") or ""))
        if isinstance(exc, ConsentError):
            raise
        logger.warning("Ponto consent could not be completed after the code exchange: %s", exc.message)
        raise ConsentError(
            gettext(
                "Ponto accepted the consent, but the bank accounts could not be read (%(reason)s) "
                "Nothing was linked. Please try again."
            )
            % {"reason": exc.message}
        ) from exc
    services.request_sync(connection, SyncTrigger.MANUAL)  # the first data arrives without waiting for the schedule
    return connection


def _describe(token_set: oauth.TokenSet) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The Ponto organisation (userinfo) and its accounts, read with the consent's access token."""
    with PontoClient(None, token=tokens.for_token_set(token_set)) as client:
        info = client.userinfo()
        resources = client.accounts()
    if not isinstance(info.get("sub"), str) or not info["sub"]:
        raise PermanentError("Ponto's userinfo names no organisation (sub).")
    return info, resources


def _link(
    organization: Organization,
    actor: User,
    reauthorised_pk: int | None,
    info: dict[str, Any],
    token_set: oauth.TokenSet,
    resources: list[dict[str, Any]],
) -> tuple[Connection, str, dict[str, Any]]:
    """Store the consent on the connection it belongs to; inside the caller's transaction."""
    Organization.objects.select_for_update().get(pk=organization.pk)  # one consent callback at a time
    sub = str(info["sub"])
    connection = _connection_for(organization, reauthorised_pk, sub)
    before: dict[str, Any] = {}
    if connection is None:
        connection = Connection(organization=organization, provider=Provider.PONTO, created_by=actor)
        action = "connection.created"
    else:
        before = {"status": connection.status, "name": connection.display_name}
        action = (
            "connection.reconnected"
            if connection.status == ConnectionStatus.DISCONNECTED
            else "connection.reauthorised"
        )
    connection.set_status(
        ConnectionStatus.ACTIVE,
        external_id=sub,
        display_name=f"Ponto · {info.get('name') or 'bank accounts'}",
        consecutive_failures=0,
        last_error="",
        last_error_class="",
        next_run_at=timezone.now(),
    )
    tokens.store_tokens(connection, token_set)
    for resource in resources:
        BankAccount.objects.update_or_create(
            connection=connection,
            external_id=resource["id"],
            defaults={"organization_id": connection.organization_id, **account_fields(resource)},
        )
    services.schedule_sync(connection)
    return connection, action, before


def _connection_for(organization: Organization, reauthorised_pk: int | None, sub: str) -> Connection | None:
    """The connection this consent renews: the one being re-authorised, else the organisation's
    Ponto connection of the same Ponto organisation (a live one first, else a disconnected one)."""
    ponto = Connection.objects.select_for_update().filter(organization=organization, provider=Provider.PONTO)
    if reauthorised_pk:
        connection = ponto.filter(pk=reauthorised_pk).first()
        if connection is None:
            raise ConsentError(gettext("The connection to re-authorise no longer exists. Please connect again."))
        if connection.external_id and connection.external_id != sub:
            raise ConsentError(
                gettext(
                    "You authorised another Ponto organisation than the one this connection links. "
                    "Re-authorise it with the same Ponto organisation, or connect the other one separately."
                )
            )
        return connection
    same = list(ponto.filter(external_id=sub).order_by("pk"))
    live = [connection for connection in same if connection.status != ConnectionStatus.DISCONNECTED]
    candidates = live or same
    return candidates[0] if candidates else None


def _abandon(organization: Organization, token_set: oauth.TokenSet, *, sub: str) -> None:
    """Revoke the tokens of a consent that linked nothing, unless a live connection of this
    organisation may share the Ponto integration they belong to (revoking ends the integration)."""
    live = Connection.objects.filter(organization=organization, provider=Provider.PONTO).live()
    shared = live.filter(external_id=sub).exists() if sub else live.exists()
    if not token_set.refresh_token or shared:
        return
    try:
        oauth.revoke(token_set.refresh_token)
    except ProviderError as exc:
        logger.warning("could not revoke the tokens of an abandoned Ponto consent: %s", exc.message)
