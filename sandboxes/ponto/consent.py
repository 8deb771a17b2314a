"""The authorization page a person sees at `/oauth2/auth`: who asks, for what, on which accounts.

Requests are checked as Hydra checks them, and a bad one gets an error page, never a redirect:
an unregistered redirect URI must not receive anything. A POST carries the same parameters plus
`decision=approve|deny` and redirects to `redirect_uri?code=…&state=…` or `?error=access_denied`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from html import escape
from urllib.parse import urlencode

from sandboxes.ponto.oauth import SCOPES, Client
from sandboxes.ponto.records import Account

MIN_STATE_LENGTH = 8  # Hydra refuses weaker states
SCOPE_TEXT = {
    "ai": "Read your accounts, balances and transactions",
    "pi": "Prepare payments for you to sign",
    "name": "See your organisation's name",
    "offline_access": "Keep access while you are away (refresh token)",
}
FORWARDED = ("response_type", "client_id", "redirect_uri", "scope", "state", "code_challenge", "code_challenge_method")


class ConsentError(Exception):
    """The authorization request is invalid: show the message, do not redirect."""


@dataclass(frozen=True, slots=True)
class AuthorizationRequest:
    client: Client
    redirect_uri: str
    scope: str
    state: str
    code_challenge: str
    params: dict[str, str]


def validate(params: Mapping[str, str], find_client: Callable[[str], Client | None]) -> AuthorizationRequest:
    client = find_client(params.get("client_id", ""))
    if client is None:
        raise ConsentError("Unknown client_id: no application is registered under this id.")
    redirect_uri = params.get("redirect_uri", "")
    if redirect_uri not in client.redirect_uris:
        raise ConsentError("The redirect_uri is not registered for this application.")
    if params.get("response_type") != "code":
        raise ConsentError("response_type must be code.")
    if not params.get("code_challenge"):
        raise ConsentError("PKCE is required: code_challenge is missing.")
    if params.get("code_challenge_method") != "S256":
        raise ConsentError("code_challenge_method must be S256.")
    scopes = params.get("scope", "").split()
    unknown = [scope for scope in scopes if scope not in SCOPES]
    if unknown:
        raise ConsentError(f"Unknown scope: {' '.join(unknown)}.")
    state = params.get("state", "")
    if len(state) < MIN_STATE_LENGTH:
        raise ConsentError(f"state is missing or shorter than {MIN_STATE_LENGTH} characters, which is too weak.")
    return AuthorizationRequest(
        client=client,
        redirect_uri=redirect_uri,
        scope=" ".join(scopes),
        state=state,
        code_challenge=params["code_challenge"],
        params={key: params[key] for key in FORWARDED if key in params},
    )


def redirect_to(redirect_uri: str, **params: str) -> str:
    separator = "&" if "?" in redirect_uri else "?"
    return f"{redirect_uri}{separator}{urlencode(params)}"


_STYLE = """
body{font:16px/1.5 system-ui,sans-serif;background:#f4f1fb;color:#1d1b2c;margin:0}
main{max-width:34rem;margin:3rem auto;background:#fff;border-radius:12px;padding:2rem;box-shadow:0 2px 12px #0002}
h1{font-size:1.4rem;margin-top:0}code{background:#eee;padding:0 .3em;border-radius:4px}
ul{padding-left:1.2rem}.accounts li{margin:.3rem 0}.muted{color:#666;font-size:.9rem}
button{font-size:1rem;padding:.6rem 1.4rem;border-radius:8px;border:0;margin-right:.6rem;cursor:pointer}
.approve{background:#5b2ee5;color:#fff}.deny{background:#e8e6ef}.error{border-left:4px solid #c62828;padding-left:1rem}
"""


def _page(title: str, body: str) -> str:
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        f'<meta name="viewport" content="width=device-width,initial-scale=1"><style>{_STYLE}</style></head>'
        f"<body><main>{body}</main></body></html>"
    )


def _iban(text: str) -> str:
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def consent_page(request: AuthorizationRequest, organization: str, accounts: Sequence[Account], action: str) -> str:
    scopes = "".join(
        f"<li><code>{escape(scope)}</code> {escape(SCOPE_TEXT.get(scope, ''))}</li>" for scope in request.scope.split()
    )
    rows = "".join(
        f"<li><strong>{escape(_iban(account.iban))}</strong> {escape(account.product)}"
        f' <span class="muted">({escape(account.holder_name)})</span></li>'
        for account in accounts
    )
    hidden = "".join(
        f'<input type="hidden" name="{escape(key)}" value="{escape(value)}">' for key, value in request.params.items()
    )
    body = (
        "<h1>Ponto sandbox: connect your accounts</h1>"
        f"<p>The application <code>{escape(request.client.client_id)}</code> asks for access to "
        f"<strong>{escape(organization)}</strong>.</p>"
        f"<p>It will be able to:</p><ul>{scopes or '<li>nothing beyond signing in</li>'}</ul>"
        f'<p>Accounts shared:</p><ul class="accounts">{rows}</ul>'
        f'<form method="post" action="{escape(action)}">{hidden}'
        '<button class="approve" type="submit" name="decision" value="approve">Approve</button>'
        '<button class="deny" type="submit" name="decision" value="deny">Deny</button></form>'
        f'<p class="muted">Afterwards you go back to {escape(request.redirect_uri)}</p>'
    )
    return _page("Ponto sandbox authorization", body)


def error_page(message: str) -> str:
    return _page(
        "Authorization error",
        f'<h1>This authorization request cannot be handled</h1><p class="error">{escape(message)}</p>'
        '<p class="muted">Nothing was sent back to the application.</p>',
    )
