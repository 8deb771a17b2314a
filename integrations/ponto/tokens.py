"""A valid access token for a Ponto connection, refreshed at most once at a time.

Ponto's refresh tokens are single use: two workers refreshing at once would leave one with a
dead token. So the credential row is locked, the rotated pair is committed, and only then is
the new access token used.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from integrations.errors import AuthError
from integrations.models import Connection, Credential
from integrations.ponto import oauth

# Refresh this long before expiry, so a call never starts with a token about to lapse...
REFRESH_MARGIN = datetime.timedelta(minutes=2)
# ...but never more than this share of the token's lifetime: a short-lived token is used for
# most of its life instead of being refreshed before every call.
REFRESH_SHARE = 0.2


@dataclass(frozen=True)
class AccessToken:
    token: str
    expires_at: datetime.datetime
    refresh_at: datetime.datetime  # when to ask for a fresh one

    def fresh(self, now: datetime.datetime | None = None) -> bool:
        return (now or timezone.now()) < self.refresh_at


def for_token_set(tokens: oauth.TokenSet) -> AccessToken:
    return AccessToken(tokens.access_token, tokens.expires_at, tokens.expires_at - refresh_margin(tokens.lifetime))


def refresh_margin(lifetime: datetime.timedelta) -> datetime.timedelta:
    return min(REFRESH_MARGIN, max(lifetime, datetime.timedelta()) * REFRESH_SHARE)


def store_tokens(connection: Connection, tokens: oauth.TokenSet) -> None:
    Credential.objects.update_or_create(
        connection=connection,
        defaults={
            "access_token": tokens.access_token,
            "refresh_token": tokens.refresh_token,
            "access_token_expires_at": tokens.expires_at,
            "scope": tokens.scope,
        },
    )


def access_token(connection: Connection) -> str:
    return access_token_until(connection).token


def access_token_until(connection: Connection) -> AccessToken:
    """A valid access token, the moment it stops being valid and the moment to refresh it."""
    with transaction.atomic():
        credential = Credential.objects.select_for_update().filter(connection=connection).first()
        if credential is None or (not credential.refresh_token and not credential.access_token):
            raise AuthError("This connection has no credentials: connect it again.")
        expires_at = credential.access_token_expires_at
        if credential.access_token and expires_at:
            # The row is saved when the token is stored: its lifetime ran from then.
            refresh_at = expires_at - refresh_margin(expires_at - credential.updated_at)
            if timezone.now() < refresh_at:
                return AccessToken(str(credential.access_token), expires_at, refresh_at)
        if not credential.refresh_token:
            raise AuthError("The access to Ponto has expired and cannot be renewed: re-authorise the connection.")
        tokens = oauth.refresh(str(credential.refresh_token))
        credential.access_token = tokens.access_token
        credential.refresh_token = tokens.refresh_token or credential.refresh_token
        credential.access_token_expires_at = tokens.expires_at
        credential.scope = tokens.scope or credential.scope
        credential.save()
    # Committed: the rotated refresh token is safe before the new access token is used.
    return for_token_set(tokens)
