"""OAuth2 as Ponto runs it (ORY Hydra): codes with PKCE S256, rotating single-use refresh tokens.

* Codes are single-use and short-lived; presenting one twice revokes the tokens it gave.
* Every refresh returns a new refresh token and invalidates the old one; presenting an old one
  again answers `invalid_grant` and revokes the whole chain (every token of that consent).
* A refresh also revokes the chain's earlier access tokens, as Hydra does.
* Access tokens live 1799 seconds on the sandbox clock.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sandboxes.ponto.encoding import b64url

SCOPES = ("offline_access", "ai", "pi", "name")
_VERIFIER = re.compile(r"[A-Za-z0-9\-._~]{43,128}")

INVALID_GRANT = (
    "The provided authorization grant (e.g., authorization code, resource owner credentials) or refresh token is "
    "invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued "
    "to another client."
)
INVALID_CLIENT = (
    "Client authentication failed (e.g., unknown client, no client authentication included, or unsupported "
    "authentication method)."
)
INVALID_REQUEST = (
    "The request is missing a required parameter, includes an invalid parameter value, includes a parameter more "
    "than once, or is otherwise malformed."
)


class OAuthError(Exception):
    """An RFC 6749 error: `{"error", "error_description", "error_hint"}`, not JSON:API."""

    def __init__(self, error: str, description: str, hint: str = "", status: int = 400) -> None:
        super().__init__(error)
        self.error, self.description, self.hint, self.status = error, description, hint, status

    def body(self) -> dict[str, str]:
        return {"error": self.error, "error_description": self.description, "error_hint": self.hint}


def invalid_grant(hint: str) -> OAuthError:
    return OAuthError("invalid_grant", INVALID_GRANT, hint)


@dataclass(slots=True)
class Client:
    client_id: str
    secret: str
    redirect_uris: list[str]


@dataclass(slots=True)
class AuthorizationCode:
    client_id: str
    redirect_uri: str
    scope: str
    challenge: str
    expires_at: datetime
    chain: str
    used: bool = False


@dataclass(slots=True)
class AccessToken:
    client_id: str
    scope: str
    expires_at: datetime
    chain: str | None  # None for client_credentials tokens, which act for no organisation
    revoked: bool = False


@dataclass(slots=True)
class RefreshToken:
    client_id: str
    scope: str
    chain: str
    used: bool = False
    revoked: bool = False


@dataclass(slots=True)
class Counters:
    codes_issued: int = 0
    codes_used: int = 0
    access_issued: int = 0
    refresh_issued: int = 0
    refresh_used: int = 0
    reuse_detected: int = 0
    chains_revoked: int = 0


def new_token() -> str:
    """Hydra's shape: two base64url parts joined by a dot."""
    return f"{secrets.token_urlsafe(32)}.{secrets.token_urlsafe(32)}"


def pkce_challenge(verifier: str) -> str:
    return b64url(hashlib.sha256(verifier.encode("ascii")).digest())


@dataclass
class TokenStore:
    """Clients, codes and tokens; every method is thread-safe."""

    clock: Callable[[], datetime]
    access_lifetime: int = 1799
    code_lifetime: int = 600
    revoke_access_on_refresh: bool = True
    clients: dict[str, Client] = field(default_factory=dict)
    counters: Counters = field(default_factory=Counters)
    _codes: dict[str, AuthorizationCode] = field(default_factory=dict)
    _access: dict[str, AccessToken] = field(default_factory=dict)
    _refresh: dict[str, RefreshToken] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def register_client(self, client_id: str, secret: str, redirect_uris: Iterable[str]) -> Client:
        client = Client(client_id, secret, list(redirect_uris))
        with self._lock:
            self.clients[client_id] = client
        return client

    def client(self, client_id: str) -> Client | None:
        with self._lock:
            return self.clients.get(client_id)

    # --- token endpoint -------------------------------------------------------------------------
    def authenticate(self, authorization: str, body_client_id: str | None) -> Client:
        """HTTP Basic client authentication (client_secret_basic), as the SDKs send it."""
        scheme, _, encoded = authorization.partition(" ")
        if scheme.lower() != "basic" or not encoded:
            raise OAuthError("invalid_client", INVALID_CLIENT, "Client credentials go in an HTTP Basic header.", 401)
        try:
            client_id, _, secret = base64.b64decode(encoded, validate=True).decode().partition(":")
        except ValueError as error:
            raise OAuthError("invalid_client", INVALID_CLIENT, "The Basic header is not valid base64.", 401) from error
        client = self.client(client_id)
        if client is None or not hmac.compare_digest(client.secret, secret):
            raise OAuthError("invalid_client", INVALID_CLIENT, "Unknown client or wrong secret.", 401)
        if body_client_id and body_client_id != client_id:
            raise OAuthError("invalid_client", INVALID_CLIENT, "client_id differs from the authenticated client.", 401)
        return client

    def issue_code(self, client: Client, redirect_uri: str, scope: str, challenge: str) -> str:
        code = new_token()
        with self._lock:
            self._codes[code] = AuthorizationCode(
                client_id=client.client_id,
                redirect_uri=redirect_uri,
                scope=scope,
                challenge=challenge,
                expires_at=self.clock() + timedelta(seconds=self.code_lifetime),
                chain=secrets.token_hex(8),
            )
            self.counters.codes_issued += 1
        return code

    def exchange_code(self, client: Client, code: str, verifier: str, redirect_uri: str) -> dict[str, object]:
        with self._lock:
            grant = self._codes.get(code)
            if grant is None or grant.client_id != client.client_id:
                raise invalid_grant("The authorization code is unknown or was issued to another client.")
            if grant.used:
                self._revoke_chain(grant.chain)
                self.counters.reuse_detected += 1
                raise invalid_grant("The authorization code has already been used; its tokens are revoked.")
            if self.clock() >= grant.expires_at:
                raise invalid_grant("The authorization code has expired.")
            if redirect_uri != grant.redirect_uri:
                raise invalid_grant("The redirect_uri differs from the one of the authorization request.")
            if not _VERIFIER.fullmatch(verifier or ""):
                raise invalid_grant("The PKCE code verifier must be 43 to 128 characters of [A-Za-z0-9-._~].")
            if not hmac.compare_digest(pkce_challenge(verifier), grant.challenge):
                raise invalid_grant("The PKCE code challenge did not match the code verifier.")
            grant.used = True
            self.counters.codes_used += 1
            return self._issue(client.client_id, grant.scope, grant.chain)

    def refresh(self, client: Client, token: str) -> dict[str, object]:
        with self._lock:
            record = self._refresh.get(token)
            if record is None or record.client_id != client.client_id:
                raise invalid_grant("The refresh token is unknown or was issued to another client.")
            if record.revoked:
                raise invalid_grant("The refresh token has been revoked.")
            if record.used:
                self._revoke_chain(record.chain)
                self.counters.reuse_detected += 1
                raise invalid_grant("The refresh token has already been used; the whole token chain is revoked.")
            record.used = True
            self.counters.refresh_used += 1
            if self.revoke_access_on_refresh:
                for access in self._access.values():
                    if access.chain == record.chain:
                        access.revoked = True
            return self._issue(client.client_id, record.scope, record.chain)

    def client_credentials(self, client: Client) -> dict[str, object]:
        token = new_token()
        with self._lock:
            self._access[token] = AccessToken(
                client.client_id, "", self.clock() + timedelta(seconds=self.access_lifetime), None
            )
            self.counters.access_issued += 1
        return {
            "access_token": token,
            "expires_in": self.access_lifetime,
            "refresh_token": None,
            "scope": "",
            "token_type": "bearer",
        }

    def _issue(self, client_id: str, scope: str, chain: str) -> dict[str, object]:
        access = new_token()
        self._access[access] = AccessToken(
            client_id, scope, self.clock() + timedelta(seconds=self.access_lifetime), chain
        )
        self.counters.access_issued += 1
        refresh: dict[str, object] = {}
        if "offline_access" in scope.split():  # without it Hydra gives no refresh token at all
            refresh["refresh_token"] = token = new_token()
            self._refresh[token] = RefreshToken(client_id, scope, chain)
            self.counters.refresh_issued += 1
        return {
            "access_token": access,
            "expires_in": self.access_lifetime,
            **refresh,
            "scope": scope,
            "token_type": "bearer",
        }

    # --- revocation -------------------------------------------------------------------------------
    def revoke(self, client: Client, token: str) -> None:
        """RFC 7009: unknown tokens are fine; revoking a refresh token ends the whole integration."""
        with self._lock:
            refresh = self._refresh.get(token)
            if refresh is not None and refresh.client_id == client.client_id:
                self._revoke_chain(refresh.chain)
            access = self._access.get(token)
            if access is not None and access.client_id == client.client_id:
                access.revoked = True

    def revoke_all(self) -> int:
        with self._lock:
            chains = {token.chain for token in self._refresh.values() if not token.revoked}
            for access in self._access.values():
                access.revoked = True
            for refresh in self._refresh.values():
                refresh.revoked = True
            self.counters.chains_revoked += len(chains)
            return len(chains)

    def _revoke_chain(self, chain: str) -> None:
        for access in self._access.values():
            if access.chain == chain:
                access.revoked = True
        for refresh in self._refresh.values():
            if refresh.chain == chain:
                refresh.revoked = True
        self.counters.chains_revoked += 1

    # --- resource servers ---------------------------------------------------------------------------
    def access_token(self, token: str) -> AccessToken | None:
        """The token if it is known, not revoked and not expired on the sandbox clock."""
        with self._lock:
            record = self._access.get(token)
            if record is None or record.revoked or self.clock() >= record.expires_at:
                return None
            return record

    def summary(self) -> dict[str, object]:
        with self._lock:
            now = self.clock()
            counters = self.counters
            return {
                "authorizationCodes": {"issued": counters.codes_issued, "used": counters.codes_used},
                "accessTokens": {
                    "issued": counters.access_issued,
                    "active": sum(1 for t in self._access.values() if not t.revoked and now < t.expires_at),
                },
                "refreshTokens": {
                    "issued": counters.refresh_issued,
                    "used": counters.refresh_used,
                    "active": sum(1 for t in self._refresh.values() if not t.used and not t.revoked),
                    "revoked": sum(1 for t in self._refresh.values() if t.revoked),
                },
                "reuseDetected": counters.reuse_detected,
                "chainsRevoked": counters.chains_revoked,
            }
