"""Ponto's error responses mapped onto the framework's failure classes."""

from __future__ import annotations

import json

import httpx

from integrations.errors import ProviderError
from integrations.http import classify_status

# Codes that mean the customer must re-authorise, whatever the HTTP status says.
AUTH_CODES = frozenset({"invalidAccessToken", "authorizationExpired", "authorizationCodeInvalid", "credentialsInvalid"})


def classify(response: httpx.Response) -> ProviderError:
    code, message = first_error(response)
    text = f"Ponto answered HTTP {response.status_code}" + (f" ({code}): {message}" if code or message else ".")
    return classify_status(response, text, auth_codes=AUTH_CODES, code=code)


def first_error(response: httpx.Response) -> tuple[str, str]:
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return "", ""
    if not isinstance(body, dict):
        return "", ""
    if isinstance(body.get("errors"), list) and body["errors"]:  # JSON:API
        first = body["errors"][0] if isinstance(body["errors"][0], dict) else {}
        return str(first.get("code", "")), str(first.get("detail", ""))
    if "error" in body:  # OAuth2
        return str(body["error"]), str(body.get("error_description", ""))
    return "", ""
