"""A valid access token for a Ponto connection, refreshed at most once at a time.

Ponto's refresh tokens are single use: two workers refreshing at once would leave one with a
dead token. So the credential row is locked, the rotated pair is committed, and only then is
the new access token used.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from integrations.errors import AuthError
from integrations.models import Connection, Credential
from integrations.ponto import oauth

# Refresh this long before expiry, so a call never starts with a token about to lapse.
REFRESH_MARGIN = datetime.timedelta(minutes=2)


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
    return access_token_until(connection)[0]


def access_token_until(connection: Connection) -> tuple[str, datetime.datetime]:
    """A valid access token and the moment it stops being valid."""
    with transaction.atomic():
        credential = Credential.objects.select_for_update().filter(connection=connection).first()
        if credential is None or (not credential.refresh_token and not credential.access_token):
            raise AuthError("This connection has no credentials: connect it again.")
        expires_at = credential.access_token_expires_at
        if credential.access_token and expires_at and expires_at - timezone.now() > REFRESH_MARGIN:
            return str(credential.access_token), expires_at
        if not credential.refresh_token:
            raise AuthError("The access to Ponto has expired and cannot be renewed: re-authorise the connection.")
        tokens = oauth.refresh(str(credential.refresh_token))
        credential.access_token = tokens.access_token
        credential.refresh_token = tokens.refresh_token or credential.refresh_token
        credential.access_token_expires_at = tokens.expires_at
        credential.scope = tokens.scope or credential.scope
        credential.save()
    # Committed: the rotated refresh token is safe before the new access token is used.
    return tokens.access_token, tokens.expires_at
