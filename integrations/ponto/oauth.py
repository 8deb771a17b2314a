"""Ponto Connect OAuth2 with PKCE: the consent URL (through authlib), and the token endpoint's
code exchange, refresh and revocation with the same retries and fault classes as API calls."""

from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass
from typing import Any

import httpx
from authlib.integrations.httpx_client import OAuth2Client
from django.conf import settings
from django.utils import timezone

from integrations.errors import AuthError, PermanentError, ProviderError, TransientError
from integrations.http import ResilientClient, Response, RetryPolicy, classify_status, json_parser
from integrations.ponto.errors import first_error

# OAuth errors that mean the grant or the client is refused: the customer must consent again.
REFUSED_GRANT_CODES = frozenset({"invalid_grant", "invalid_client", "unauthorized_client"})


@dataclass(frozen=True)
class TokenSet:
    access_token: str
    refresh_token: str
    expires_at: datetime.datetime
    scope: str

    @property
    def lifetime(self) -> datetime.timedelta:
        return self.expires_at - timezone.now()

    @classmethod
    def from_response(cls, token: Any) -> TokenSet:
        """The tokens of a 200 answer; TransientError when it is not a token response at all."""
        access_token = token.get("access_token") if isinstance(token, dict) else None
        if not isinstance(access_token, str) or not access_token:
            raise TransientError("Ponto's token endpoint answered without an access token.")
        try:
            expires_in = max(int(token.get("expires_in") or 0), 0)
        except (TypeError, ValueError) as exc:
            raise TransientError("Ponto's token endpoint answered with an unreadable expires_in.") from exc
        return cls(
            access_token=access_token,
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


def classify_token_error(response: httpx.Response) -> ProviderError:
    """An OAuth error body (or a JSON:API one) from the token endpoint: a refused grant is an
    auth failure; throttling and server faults are transient, as on the API."""
    code, message = first_error(response)
    if code in REFUSED_GRANT_CODES and response.status_code < 500:
        text = f"Ponto refused the authorisation ({code}): {message}".rstrip(": ")
        return AuthError(text, status=response.status_code)
    text = f"Ponto's token endpoint answered HTTP {response.status_code}" + (
        f" ({code}): {message}".rstrip(": ") if code or message else "."
    )
    return classify_status(response, text, code=code)


def token_http(policy: RetryPolicy | None = None) -> ResilientClient[Response]:
    return ResilientClient(
        httpx.Client(
            timeout=settings.PONTO_TIMEOUT_SECONDS,
            cert=client_certificate(),
            auth=httpx.BasicAuth(settings.PONTO_CLIENT_ID, settings.PONTO_CLIENT_SECRET),
            headers={"Accept": "application/json"},
        ),
        parse=json_parser(classify_token_error),
        policy=policy or RetryPolicy.from_settings(),
    )


def _token_call(form: dict[str, str]) -> TokenSet:
    http = token_http()
    try:
        response = http.request("POST", settings.PONTO_TOKEN_URL, data={**form, "client_id": settings.PONTO_CLIENT_ID})
    finally:
        http.client.close()
    if isinstance(response.data, dict) and response.data.get("error"):  # an OAuth error with a 200
        code = str(response.data["error"])
        text = f"Ponto refused the authorisation ({code}): {response.data.get('error_description') or ''}".strip()
        raise AuthError(text) if code in REFUSED_GRANT_CODES else PermanentError(text)
    return TokenSet.from_response(response.data)


def exchange_code(code: str, code_verifier: str) -> TokenSet:
    return _token_call(
        {
            "grant_type": "authorization_code",
            "code": code,
            "code_verifier": code_verifier,
            "redirect_uri": settings.PONTO_REDIRECT_URI,
        }
    )


def refresh(refresh_token: str) -> TokenSet:
    return _token_call({"grant_type": "refresh_token", "refresh_token": refresh_token})


def revoke(refresh_token: str) -> None:
    """Revoke the integration at Ponto. Best effort: a failure is reported to the caller."""
    http = token_http()
    try:
        http.request(
            "POST", settings.PONTO_REVOKE_URL, data={"token": refresh_token, "client_id": settings.PONTO_CLIENT_ID}
        )
    finally:
        http.client.close()
