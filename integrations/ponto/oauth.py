"""Ponto Connect OAuth2 with PKCE, through authlib: consent URL, code exchange, refresh, revoke."""

from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass
from typing import Any

import httpx
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.httpx_client import OAuth2Client
from django.conf import settings
from django.utils import timezone

from integrations.errors import AuthError, ProviderError, TransientError


@dataclass(frozen=True)
class TokenSet:
    access_token: str
    refresh_token: str
    expires_at: datetime.datetime
    scope: str

    @classmethod
    def from_response(cls, token: dict[str, Any]) -> TokenSet:
        expires_in = int(token.get("expires_in") or 0)
        return cls(
            access_token=str(token["access_token"]),
            refresh_token=str(token.get("refresh_token") or ""),
            expires_at=timezone.now() + datetime.timedelta(seconds=expires_in),
            scope=str(token.get("scope") or ""),
        )


def client_certificate() -> tuple[str, str] | None:
    if settings.PONTO_CERTIFICATE and settings.PONTO_CERTIFICATE_KEY:
        return (settings.PONTO_CERTIFICATE, settings.PONTO_CERTIFICATE_KEY)
    return None


def oauth_client() -> OAuth2Client:
    return OAuth2Client(
        client_id=settings.PONTO_CLIENT_ID,
        client_secret=settings.PONTO_CLIENT_SECRET,
        token_endpoint_auth_method="client_secret_basic",  # noqa: S106 - a method name, not a secret
        scope=settings.PONTO_SCOPE,
        redirect_uri=settings.PONTO_REDIRECT_URI,
        code_challenge_method="S256",
        timeout=settings.PONTO_TIMEOUT_SECONDS,
        cert=client_certificate(),
    )


def new_code_verifier() -> str:
    return secrets.token_urlsafe(64)[:96]


def authorization_url(state: str, code_verifier: str) -> str:
    with oauth_client() as client:
        url, _ = client.create_authorization_url(settings.PONTO_AUTH_URL, state=state, code_verifier=code_verifier)
    return str(url)


def _token_call(call: str, **kwargs: Any) -> TokenSet:
    try:
        with oauth_client() as client:
            token = getattr(client, call)(settings.PONTO_TOKEN_URL, **kwargs)
    except OAuthError as exc:
        if exc.error in ("invalid_grant", "invalid_client", "unauthorized_client"):
            raise AuthError(f"Ponto refused the authorisation ({exc.error}): {exc.description or ''}".strip()) from exc
        raise ProviderError(f"Ponto's token endpoint answered {exc.error}: {exc.description or ''}".strip()) from exc
    except httpx.HTTPError as exc:
        raise TransientError(f"Ponto's token endpoint could not be reached ({exc.__class__.__name__}).") from exc
    return TokenSet.from_response(dict(token))


def exchange_code(code: str, code_verifier: str) -> TokenSet:
    return _token_call("fetch_token", grant_type="authorization_code", code=code, code_verifier=code_verifier)


def refresh(refresh_token: str) -> TokenSet:
    return _token_call("refresh_token", refresh_token=refresh_token)


def revoke(refresh_token: str) -> None:
    """Revoke the integration at Ponto. Best effort: a failure is reported to the caller."""
    try:
        with oauth_client() as client:
            response = client.revoke_token(settings.PONTO_REVOKE_URL, token=refresh_token)
    except httpx.HTTPError as exc:
        raise TransientError(f"Ponto's revoke endpoint could not be reached ({exc.__class__.__name__}).") from exc
    if response.status_code >= 400:
        raise ProviderError(f"Ponto did not revoke the token (HTTP {response.status_code}).")
