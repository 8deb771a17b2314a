"""The Ponto Connect simulator against its contract (ponto-api.md): OAuth, pages, data, syncs, faults, webhooks.

Every test talks HTTP to a real socket (`serve()` on port 0), as the connector will.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicNumbers

from core.validators import validate_structured_reference
from invoices.references import format_reference, make_reference
from sandboxes.ponto import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    DEFAULT_REDIRECT_URIS,
    PontoSandbox,
    serve,
)
from sandboxes.ponto.banking import BRUSSELS, is_valid_iban
from sandboxes.ponto.records import CustomerPayment

NOW = datetime(2026, 3, 16, 9, 30, tzinfo=UTC)
BRASSERIE_IBAN = "BE71096123456769"
API = "/ponto-connect"
REDIRECT = DEFAULT_REDIRECT_URIS[0]
CLIENT = (DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET)
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
RECENTLY = {
    "errors": [
        {
            "code": "accountRecentlySynchronized",
            "detail": "This type of synchronization was already created recently for the account. "
            "Try again later or on the Dashboard.",
            "meta": {},
        }
    ]
}


# --- fixtures and helpers ---------------------------------------------------------------------------
@pytest.fixture
def sandbox() -> PontoSandbox:
    return PontoSandbox(seed=2026, now=lambda: NOW)


@pytest.fixture
def http(sandbox: PontoSandbox) -> Iterator[httpx.Client]:
    server, base_url = serve(sandbox)
    with httpx.Client(base_url=base_url, timeout=5) as client:
        yield client
    server.shutdown()


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def auth_params(challenge: str, **overrides: str) -> dict[str, str]:
    params = {
        "response_type": "code",
        "client_id": DEFAULT_CLIENT_ID,
        "redirect_uri": REDIRECT,
        "scope": "offline_access ai pi name",
        "state": "state-0123456789",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    return params | overrides


def approve(http: httpx.Client, challenge: str, **overrides: str) -> str:
    response = http.post(f"{API}/oauth2/auth", data={**auth_params(challenge, **overrides), "decision": "approve"})
    assert response.status_code == 302
    query = parse_qs(urlparse(response.headers["location"]).query)
    assert query["state"] == [auth_params(challenge, **overrides)["state"]]
    return query["code"][0]


def exchange(http: httpx.Client, code: str, verifier: str, redirect_uri: str = REDIRECT) -> httpx.Response:
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "code_verifier": verifier,
        "redirect_uri": redirect_uri,
        "client_id": DEFAULT_CLIENT_ID,
    }
    return http.post(f"{API}/oauth2/token", auth=CLIENT, data=data)


def refresh(http: httpx.Client, token: str) -> httpx.Response:
    data = {"grant_type": "refresh_token", "refresh_token": token, "client_id": DEFAULT_CLIENT_ID}
    return http.post(f"{API}/oauth2/token", auth=CLIENT, data=data)


def login(http: httpx.Client, scope: str = "offline_access ai pi name") -> dict[str, Any]:
    verifier, challenge = pkce()
    response = exchange(http, approve(http, challenge, scope=scope), verifier)
    assert response.status_code == 200, response.text
    tokens: dict[str, Any] = response.json()
    return tokens


@pytest.fixture
def tokens(http: httpx.Client) -> dict[str, Any]:
    return login(http)


@pytest.fixture
def api(http: httpx.Client, tokens: dict[str, Any]) -> httpx.Client:
    """The same client, signed in."""
    http.headers["Authorization"] = f"Bearer {tokens['access_token']}"
    return http


def error_code(response: httpx.Response) -> str:
    return str(response.json()["errors"][0]["code"])


def advance(http: httpx.Client, seconds: float) -> None:
    assert http.post("/_sandbox/clock", json={"seconds": seconds}).status_code == 200


def truth(http: httpx.Client, index: int = 0) -> dict[str, Any]:
    account: dict[str, Any] = http.get("/_sandbox/ground-truth").json()["accounts"][index]
    return account


def walk(http: httpx.Client, url: str) -> list[dict[str, Any]]:
    """Every resource of a collection, following links.next verbatim."""
    items: list[dict[str, Any]] = []
    next_url: str | None = url
    while next_url:
        page = http.get(next_url)
        assert page.status_code == 200, page.text
        document = page.json(parse_float=Decimal)
        items += document["data"]
        next_url = document["links"].get("next")
    return items


def start_sync(
    api: httpx.Client, account_id: str, subtype: str = "accountTransactions", headers: dict[str, str] | None = None
) -> httpx.Response:
    attributes = {
        "resourceType": "account",
        "resourceId": account_id,
        "subtype": subtype,
        "customerIpAddress": "1.2.3.4",
    }
    body = {"data": {"type": "synchronization", "attributes": attributes}}
    return api.post(f"{API}/synchronizations", json=body, headers=headers)


# --- OAuth2 ------------------------------------------------------------------------------------------
def test_consent_page_shows_client_scopes_and_accounts(http: httpx.Client, sandbox: PontoSandbox):
    response = http.get(f"{API}/oauth2/auth", params=auth_params(pkce()[1]))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert DEFAULT_CLIENT_ID in page and "offline_access" in page and sandbox.organization.name in page
    iban = sandbox.accounts[0].iban
    assert " ".join(iban[i : i + 4] for i in range(0, len(iban), 4)) in page
    assert 'value="approve"' in page and 'value="deny"' in page and 'method="post"' in page


def test_code_flow_with_pkce_issues_rotating_tokens(http: httpx.Client):
    verifier, challenge = pkce()
    response = exchange(http, approve(http, challenge), verifier)
    assert response.status_code == 200
    body = response.json()
    assert body["expires_in"] == 1799 and body["token_type"] == "bearer"
    assert body["scope"] == "offline_access ai pi name"
    assert re.fullmatch(r"[\w-]+\.[\w-]+", body["access_token"]) and re.fullmatch(
        r"[\w-]+\.[\w-]+", body["refresh_token"]
    )
    assert response.headers["cache-control"] == "no-store"


def test_wrong_verifier_then_reused_code_are_invalid_grant(http: httpx.Client):
    verifier, challenge = pkce()
    code = approve(http, challenge)
    wrong = exchange(http, code, pkce()[0])
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant"
    assert "PKCE" in wrong.json()["error_hint"]
    first = exchange(http, code, verifier)
    assert first.status_code == 200
    again = exchange(http, code, verifier)
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"
    # Hydra revokes what a replayed code gave.
    headers = {"Authorization": f"Bearer {first.json()['access_token']}"}
    assert http.get(f"{API}/accounts", headers=headers).status_code == 401


def test_code_must_be_redeemed_with_its_redirect_uri_and_in_time(http: httpx.Client):
    verifier, challenge = pkce()
    other_uri = exchange(http, approve(http, challenge), verifier, redirect_uri=DEFAULT_REDIRECT_URIS[1])
    assert other_uri.status_code == 400 and other_uri.json()["error"] == "invalid_grant"
    code = approve(http, challenge)
    advance(http, 601)
    late = exchange(http, code, verifier)
    assert late.status_code == 400 and "expired" in late.json()["error_hint"]


def test_unregistered_redirect_uri_gets_an_error_page_and_no_redirect(http: httpx.Client):
    params = auth_params(pkce()[1], redirect_uri="https://attacker.example/callback")
    page = http.get(f"{API}/oauth2/auth", params=params)
    assert page.status_code == 400 and "location" not in page.headers
    assert "redirect_uri is not registered" in page.text
    post = http.post(f"{API}/oauth2/auth", data={**params, "decision": "approve"})
    assert post.status_code == 400 and "location" not in post.headers


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"client_id": "nobody"}, "Unknown client_id"),
        ({"response_type": "token"}, "response_type must be code"),
        ({"code_challenge": ""}, "code_challenge is missing"),
        ({"code_challenge_method": "plain"}, "must be S256"),
        ({"scope": "ai everything"}, "Unknown scope"),
        ({"state": "short"}, "state"),
    ],
)
def test_invalid_authorization_requests_get_an_error_page(http: httpx.Client, override: dict[str, str], message: str):
    response = http.get(f"{API}/oauth2/auth", params=auth_params(pkce()[1], **override))
    assert response.status_code == 400 and "location" not in response.headers
    assert message in response.text


def test_deny_redirects_with_access_denied_and_state(http: httpx.Client):
    params = auth_params(pkce()[1])
    response = http.post(f"{API}/oauth2/auth", data={**params, "decision": "deny"})
    assert response.status_code == 302
    location = urlparse(response.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT
    query = parse_qs(location.query)
    assert query["error"] == ["access_denied"] and query["state"] == [params["state"]] and "code" not in query


def test_token_endpoint_requires_http_basic_client_authentication(http: httpx.Client):
    verifier, challenge = pkce()
    code = approve(http, challenge)
    data = {"grant_type": "authorization_code", "code": code, "code_verifier": verifier, "redirect_uri": REDIRECT}
    missing = http.post(f"{API}/oauth2/token", data=data)
    wrong = http.post(f"{API}/oauth2/token", data=data, auth=(DEFAULT_CLIENT_ID, "guess"))
    assert missing.status_code == wrong.status_code == 401
    assert missing.json()["error"] == wrong.json()["error"] == "invalid_client"
    unsupported = http.post(f"{API}/oauth2/token", data={"grant_type": "password"}, auth=CLIENT)
    assert unsupported.status_code == 400 and unsupported.json()["error"] == "unsupported_grant_type"


def test_refresh_rotates_and_reuse_revokes_the_whole_chain(http: httpx.Client, tokens: dict[str, Any]):
    first = refresh(http, tokens["refresh_token"])
    assert first.status_code == 200
    second = refresh(http, first.json()["refresh_token"])
    assert second.status_code == 200
    issued = {tokens["refresh_token"], first.json()["refresh_token"], second.json()["refresh_token"]}
    assert len(issued) == 3 and second.json()["expires_in"] == 1799
    latest = {"Authorization": f"Bearer {second.json()['access_token']}"}
    assert http.get(f"{API}/accounts", headers=latest).status_code == 200

    reused = refresh(http, tokens["refresh_token"])
    assert reused.status_code == 400 and reused.json()["error"] == "invalid_grant"
    assert refresh(http, second.json()["refresh_token"]).json()["error"] == "invalid_grant"
    assert http.get(f"{API}/accounts", headers=latest).status_code == 401
    counts = http.get("/_sandbox/tokens").json()
    assert counts["refreshTokens"]["issued"] == 3 and counts["refreshTokens"]["used"] == 2
    assert counts["reuseDetected"] == 1 and counts["refreshTokens"]["active"] == 0


def test_refresh_retires_earlier_access_tokens_of_the_chain(http: httpx.Client, tokens: dict[str, Any]):
    old = {"Authorization": f"Bearer {tokens['access_token']}"}
    assert http.get(f"{API}/accounts", headers=old).status_code == 200
    assert refresh(http, tokens["refresh_token"]).status_code == 200
    assert http.get(f"{API}/accounts", headers=old).status_code == 401


def test_access_token_expires_after_1799_seconds_of_sandbox_time(api: httpx.Client):
    advance(api, 1798)
    assert api.get(f"{API}/accounts").status_code == 200
    advance(api, 1)
    expired = api.get(f"{API}/accounts")
    assert expired.status_code == 401
    error = expired.json()["errors"][0]
    assert error["code"] == "invalidAccessToken" and error["detail"] == "Your access token is invalid."
    assert error["meta"]["requestId"] == expired.headers["ibanity-request-id"]


def test_missing_or_unknown_bearer_token_is_401(http: httpx.Client):
    assert error_code(http.get(f"{API}/accounts")) == "invalidAccessToken"
    unknown = http.get(f"{API}/accounts", headers={"Authorization": "Bearer nope.nope"})
    assert unknown.status_code == 401 and error_code(unknown) == "invalidAccessToken"


def test_client_credentials_token_has_no_refresh_token_and_reads_no_accounts(http: httpx.Client):
    response = http.post(f"{API}/oauth2/token", params={"grant_type": "client_credentials"}, auth=CLIENT)
    assert response.status_code == 200
    body = response.json()
    assert body["refresh_token"] is None and body["scope"] == "" and body["expires_in"] == 1799
    headers = {"Authorization": f"Bearer {body['access_token']}"}
    assert http.get(f"{API}/accounts", headers=headers).status_code == 401


def test_without_offline_access_there_is_no_refresh_token(http: httpx.Client):
    tokens = login(http, scope="ai")
    assert "refresh_token" not in tokens and tokens["scope"] == "ai"


def test_revoking_the_refresh_token_ends_the_integration(http: httpx.Client, tokens: dict[str, Any]):
    response = http.post(f"{API}/oauth2/revoke", auth=CLIENT, data={"token": tokens["refresh_token"]})
    assert response.status_code == 200 and response.json() == {}
    assert refresh(http, tokens["refresh_token"]).json()["error"] == "invalid_grant"
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    assert http.get(f"{API}/accounts", headers=headers).status_code == 401


def test_userinfo_names_the_organisation(api: httpx.Client, sandbox: PontoSandbox):
    info = api.get(f"{API}/userinfo").json()
    assert info["sub"] == sandbox.organization.id and info["name"] == sandbox.organization.name


# --- resources ------------------------------------------------------------------------------------------
def test_links_document_and_request_id_on_every_response(http: httpx.Client):
    root = http.get(API)
    assert root.status_code == 200
    links = root.json()["links"]
    assert links["account"]["transactions"].endswith("/ponto-connect/accounts/{accountId}/transactions/{transactionId}")
    assert links["oauth2"]["token"] == f"{str(http.base_url).rstrip('/')}{API}/oauth2/token"
    for response in (root, http.get(f"{API}/accounts"), http.get("/_sandbox/tokens"), http.get(f"{API}/nowhere")):
        assert re.fullmatch(r"[0-9A-F]{44}", response.headers["ibanity-request-id"])


def test_accounts_are_eur_with_valid_belgian_ibans_consistent_balances_and_a_90_day_consent(
    api: httpx.Client, sandbox: PontoSandbox
):
    accounts = api.get(f"{API}/accounts").json()["data"]
    assert [account["id"] for account in accounts] == [account.id for account in sandbox.accounts]
    truths = {account["id"]: account for account in api.get("/_sandbox/ground-truth").json()["accounts"]}
    assert sorted(account["attributes"]["subtype"] for account in accounts) == ["checking", "checking", "savings"]
    for account in accounts:
        attributes = account["attributes"]
        assert attributes["referenceType"] == "IBAN" and attributes["reference"].startswith("BE")
        assert is_valid_iban(attributes["reference"]) and attributes["currency"] == "EUR"
        expected = Decimal(truths[account["id"]]["openingBalance"]) + Decimal(truths[account["id"]]["sum"])
        assert Decimal(str(attributes["currentBalance"])) == expected
        authorized = datetime.fromisoformat(attributes["authorizedAt"])
        assert datetime.fromisoformat(attributes["authorizationExpirationExpectedAt"]) - authorized == timedelta(
            days=90
        )
        assert "synchronizedAt" in account["meta"] and "synchronizedAt" not in attributes


def test_timestamps_have_milliseconds_and_amounts_are_exact_json_numbers(api: httpx.Client, sandbox: PontoSandbox):
    response = api.get(f"{API}/accounts/{sandbox.accounts[0].id}/transactions", params={"page[limit]": 100})
    for amount in re.findall(r'"amount":([^,}]+)', response.text):
        assert re.fullmatch(r"-?\d+(\.\d{1,2})?", amount), amount
    document = response.json(parse_float=Decimal)
    expected = {row["id"]: Decimal(row["amount"]) for row in truth(api)["transactions"]}
    for transaction in document["data"]:
        attributes = transaction["attributes"]
        assert attributes["amount"] == expected[transaction["id"]]
        for name in ("valueDate", "executionDate", "createdAt", "updatedAt"):
            assert TIMESTAMP.match(attributes[name]), attributes[name]


def test_main_account_books_on_brussels_midnight_others_on_utc_midnight(api: httpx.Client, sandbox: PontoSandbox):
    main, other = (api.get(f"{API}/accounts/{sandbox.accounts[i].id}/transactions").json()["data"] for i in (0, 2))
    assert {t["attributes"]["executionDate"][10:] for t in main} <= {"T23:00:00.000Z", "T22:00:00.000Z"}
    assert {t["attributes"]["executionDate"][10:] for t in other} == {"T00:00:00.000Z"}


def test_accepts_the_json_api_media_type_and_a_trailing_slash(api: httpx.Client):
    response = api.get(f"{API}/accounts/", headers={"Accept": "application/vnd.api+json"})
    assert response.status_code == 200 and response.headers["content-type"] == "application/vnd.api+json"
    assert len(response.json()["data"]) == 3


def test_unknown_account_and_transaction_are_404_resource_not_found(api: httpx.Client, sandbox: PontoSandbox):
    missing = api.get(f"{API}/accounts/00000000-0000-4000-8000-000000000000")
    assert missing.status_code == 404 and missing.json()["errors"][0]["meta"]["resource"] == "account"
    other_account_transaction = sandbox.accounts[1].transactions[0].id
    wrong = api.get(f"{API}/accounts/{sandbox.accounts[0].id}/transactions/{other_account_transaction}")
    assert wrong.status_code == 404 and error_code(wrong) == "resourceNotFound"


# --- pagination -------------------------------------------------------------------------------------------
def test_default_page_is_ten_newest_first_with_next_but_no_prev(api: httpx.Client, sandbox: PontoSandbox):
    document = api.get(f"{API}/accounts/{sandbox.accounts[0].id}/transactions").json()
    ids = [transaction["id"] for transaction in document["data"]]
    assert ids == [row["id"] for row in truth(api)["transactions"][:10]]
    assert set(document["links"]) == {"first", "next"}
    assert document["links"]["next"].endswith(f"page[after]={ids[-1]}")
    assert document["meta"]["paging"] == {"limit": 10, "before": None, "after": None}
    assert document["meta"]["latestSynchronization"]["attributes"]["status"] == "success"


def test_page_limit_is_capped_at_100(api: httpx.Client, sandbox: PontoSandbox):
    document = api.get(f"{API}/accounts/{sandbox.accounts[0].id}/transactions", params={"page[limit]": 500}).json()
    assert len(document["data"]) == 100 and document["meta"]["paging"]["limit"] == 100
    bad = api.get(f"{API}/accounts/{sandbox.accounts[0].id}/transactions", params={"page[limit]": "ten"})
    assert bad.status_code == 400


def test_legacy_spelling_pages_the_same_and_links_in_kind(api: httpx.Client, sandbox: PontoSandbox):
    url = f"{API}/accounts/{sandbox.accounts[0].id}/transactions"
    anchor = truth(api)["transactions"][4]["id"]
    modern = api.get(url, params={"page[limit]": 5, "page[after]": anchor}).json()
    legacy = api.get(url, params={"limit": 5, "after": anchor}).json()
    assert [t["id"] for t in legacy["data"]] == [t["id"] for t in modern["data"]]
    assert [row["id"] for row in truth(api)["transactions"][5:10]] == [t["id"] for t in legacy["data"]]
    assert "?limit=5&after=" in legacy["links"]["next"] and "page[" not in legacy["links"]["next"]
    assert "page[limit]=5&page[after]=" in modern["links"]["next"]


def test_prev_leads_back_and_before_the_newest_is_empty(api: httpx.Client, sandbox: PontoSandbox):
    url = f"{API}/accounts/{sandbox.accounts[0].id}/transactions"
    first = api.get(url, params={"page[limit]": 7}).json()
    second = api.get(first["links"]["next"]).json()
    assert "prev" in second["links"] and "next" in second["links"]
    back = api.get(second["links"]["prev"]).json()
    assert [t["id"] for t in back["data"]] == [t["id"] for t in first["data"]]
    assert "prev" not in back["links"]
    newest = first["data"][0]["id"]
    nothing = api.get(url, params={"page[before]": newest}).json()
    assert nothing["data"] == [] and set(nothing["links"]) == {"first"}


def test_walking_every_page_returns_exactly_the_ground_truth(api: httpx.Client, sandbox: PontoSandbox):
    for index, account in enumerate(sandbox.accounts):
        walked = walk(api, f"{API}/accounts/{account.id}/transactions?page[limit]=100")
        ids = [transaction["id"] for transaction in walked]
        expected = truth(api, index)
        assert len(ids) == len(set(ids)) == expected["count"]
        assert ids == [row["id"] for row in expected["transactions"]]
        assert sum(t["attributes"]["amount"] for t in walked) == Decimal(expected["sum"])


def test_unknown_cursor_is_a_400(api: httpx.Client, sandbox: PontoSandbox):
    url = f"{API}/accounts/{sandbox.accounts[0].id}/transactions"
    response = api.get(url, params={"page[after]": sandbox.accounts[1].transactions[0].id})
    assert response.status_code == 400 and response.json()["errors"][0]["meta"]["attribute"] == "page[after]"


# --- seeded data ------------------------------------------------------------------------------------------
def test_structured_references_are_valid_and_number_invoices_per_year(api: httpx.Client, sandbox: PontoSandbox):
    walked = walk(api, f"{API}/accounts/{sandbox.accounts[0].id}/transactions?page[limit]=100")
    structured = [t["attributes"] for t in walked if t["attributes"]["remittanceInformationType"] == "structured"]
    assert len(structured) > 60
    references = {
        validate_structured_reference(attributes["remittanceInformation"]): attributes for attributes in structured
    }
    first_amounts = [Decimal(text) for text in ("177.15", "674.10", "901.45", "1438.21", "1512.50")]
    for year in (2024, 2025, 2026):
        for number, amount in enumerate(first_amounts, start=1):
            payment = references[make_reference(year * 1_000_000 + number)]
            assert payment["amount"] == amount and payment["bankTransactionCode"] == "PMNT-RCDT-ESCT"
            assert payment["remittanceInformation"] == format_reference(make_reference(year * 1_000_000 + number))
    full_year = [digits for digits in references if digits.startswith("2025")]
    assert 35 <= len(full_year) <= 45


def customer_payment(day: date, amount: str, name: str, iban: str | None, text: str) -> CustomerPayment:
    kind = "structured" if text.startswith("+++") else "unstructured"
    return CustomerPayment(day, Decimal(amount), name, iban, text, kind)


def test_given_customer_payments_are_booked_as_given_instead_of_made_up_invoice_payments():
    brasserie = customer_payment(
        date(2026, 3, 13), "719.11", "Brasserie Dupont SRL", BRASSERIE_IBAN, "+++202/6000/00697+++"
    )
    unknown = customer_payment(date(2026, 3, 12), "350.00", "Traiteur Vandenbroucke BV", None, "Voorschot receptie")
    # After the sandbox's last booking day (yesterday in UTC, Brussels' day before yesterday just after
    # midnight): booked on that last day.
    late = customer_payment(date(2026, 3, 16), "177.15", "Bakkerij Peeters BV", None, "+++202/6000/01206+++")
    sandbox = PontoSandbox(
        seed=2026, transactions_per_account=300, now=lambda: NOW, customer_payments=[brasserie, unknown, late]
    )
    server, base_url = serve(sandbox)
    try:
        with httpx.Client(base_url=base_url, timeout=5) as http:
            http.headers["Authorization"] = f"Bearer {login(http)['access_token']}"
            walked = [t["attributes"] for t in walk(http, f"{API}/accounts/{sandbox.accounts[0].id}/transactions")]
    finally:
        server.shutdown()

    assert len(walked) == 300  # the given payments count among the main account's bookings
    incoming = [t for t in walked if t["remittanceInformationType"] == "structured" and t["amount"] > 0]
    assert sorted(t["remittanceInformation"] for t in incoming) == sorted(
        [brasserie.remittance_information, late.remittance_information]
    ), "no made-up invoice payment beside the given ones"
    by_name = {t["counterpartName"]: t for t in walked}
    for payment, day in ((brasserie, date(2026, 3, 13)), (unknown, date(2026, 3, 12)), (late, date(2026, 3, 15))):
        booked = by_name[payment.counterpart_name]
        assert (booked["amount"], booked["bankTransactionCode"]) == (payment.amount, "PMNT-RCDT-ESCT")
        assert booked["remittanceInformation"] == payment.remittance_information
        assert booked["remittanceInformationType"] == payment.remittance_information_type
        assert booked["executionDate"] == booked["valueDate"] and TIMESTAMP.match(booked["executionDate"])
        executed = datetime.fromisoformat(booked["executionDate"].replace("Z", "+00:00"))
        assert executed.astimezone(BRUSSELS).date() == day
    assert by_name["Brasserie Dupont SRL"]["counterpartReference"] == BRASSERIE_IBAN
    assert is_valid_iban(by_name["Traiteur Vandenbroucke BV"]["counterpartReference"])


def test_recurring_bookings_reuse_their_counterparties(sandbox: PontoSandbox):
    salaries = [t for t in sandbox.accounts[0].transactions if t.purpose_code == "SALA"]
    ibans_by_name: dict[str | None, set[str | None]] = {}
    for salary in salaries:
        ibans_by_name.setdefault(salary.counterpart_name, set()).add(salary.counterpart_reference)
    assert len(ibans_by_name) == 4 and all(len(ibans) == 1 for ibans in ibans_by_name.values())
    assert 23 <= len(salaries) / 4 <= 25  # monthly, for two years
    codes = {t.bank_transaction_code for t in sandbox.accounts[0].transactions}
    assert {"PMNT-RCDT-ESCT", "PMNT-ICDT-ESCT", "PMNT-CCRD-POSD", "PMNT-RDDT-ESDD", "ACMT-MDOP-CHRG"} <= codes


def test_same_seed_same_data_other_seed_other_data():
    def ids(seed: int) -> list[str]:
        sandbox = PontoSandbox(seed=seed, transactions_per_account=200, now=lambda: NOW)
        return [t.id for account in sandbox.accounts for t in account.transactions]

    assert ids(7) == ids(7)
    assert not set(ids(7)) & set(ids(8))


def test_a_sandbox_of_100000_transactions_an_account_holds_them_all_once():
    # How long building it takes is for `make bench-ponto`, which builds one of this size: a wall-time
    # assertion here failed whenever the machine was busy.
    sandbox = PontoSandbox(transactions_per_account=100_000, now=lambda: NOW)
    transactions = sandbox.accounts[0].transactions
    assert len(transactions) == 100_000
    assert len({transaction.id for transaction in transactions}) == 100_000


# --- synchronizations -----------------------------------------------------------------------------------
def test_synchronization_goes_pending_running_success_and_has_a_cooldown(api: httpx.Client, sandbox: PontoSandbox):
    account_id = sandbox.accounts[0].id
    created = start_sync(api, account_id)
    assert created.status_code == 201
    sync = created.json()["data"]
    assert sync["attributes"]["status"] == "pending" and sync["attributes"]["resourceId"] == account_id
    assert sync["relationships"]["updatedTransactions"]["links"]["related"].endswith(
        f"{sync['id']}/updated-transactions"
    )
    statuses = []
    for _ in range(2):
        advance(api, 1)
        statuses.append(api.get(f"{API}/synchronizations/{sync['id']}").json()["data"]["attributes"]["status"])
    assert statuses == ["running", "success"]

    again = start_sync(api, account_id)
    assert again.status_code == 400 and again.json() == RECENTLY
    assert start_sync(api, account_id, "accountDetails").status_code == 201
    advance(api, 60)
    assert start_sync(api, account_id).status_code == 201


def test_an_idempotency_key_replays_the_first_answer(api: httpx.Client, sandbox: PontoSandbox):
    key = {"Ibanity-Idempotency-Key": "6f1b0a3e-0d0c-4a55-9a43-3f3e6c1f2b7d"}
    first = start_sync(api, sandbox.accounts[0].id, headers=key)
    retried = start_sync(api, sandbox.accounts[0].id, headers=key)
    assert first.status_code == retried.status_code == 201
    assert retried.json()["data"]["id"] == first.json()["data"]["id"]
    assert start_sync(api, sandbox.accounts[0].id).status_code == 400  # without the key: a second request
    conflict = start_sync(api, sandbox.accounts[1].id, headers=key)
    assert conflict.status_code == 409


def test_synchronization_requests_are_validated(api: httpx.Client, sandbox: PontoSandbox):
    attributes = {"resourceType": "account", "resourceId": sandbox.accounts[0].id, "subtype": "accountTransactions"}
    no_ip = api.post(f"{API}/synchronizations", json={"data": {"type": "synchronization", "attributes": attributes}})
    assert no_ip.status_code == 400 and no_ip.json()["errors"][0]["meta"]["attribute"] == "customerIpAddress"
    assert start_sync(api, sandbox.accounts[0].id, "everything").status_code == 400
    assert start_sync(api, "00000000-0000-4000-8000-000000000000").status_code == 404


def test_updated_transactions_list_what_changed_since_the_previous_sync(api: httpx.Client, sandbox: PontoSandbox):
    account = sandbox.accounts[0]
    target = account.transactions[-3].id
    patched = api.patch(f"/_sandbox/transactions/{target}", json={"remittanceInformation": "Corrected by the bank"})
    assert patched.status_code == 200
    sync_id = start_sync(api, account.id).json()["data"]["id"]
    assert api.get(f"{API}/synchronizations/{sync_id}/updated-transactions").json()["data"] == []  # still pending
    advance(api, 2)
    updated = api.get(f"{API}/synchronizations/{sync_id}/updated-transactions").json()["data"]
    assert [t["id"] for t in updated] == [target]
    attributes = updated[0]["attributes"]
    assert attributes["remittanceInformation"] == "Corrected by the bank"
    assert attributes["updatedAt"] > attributes["createdAt"]
    advance(api, 60)
    later = start_sync(api, account.id).json()["data"]["id"]
    advance(api, 2)
    assert api.get(f"{API}/synchronizations/{later}/updated-transactions").json()["data"] == []


def test_pending_transaction_is_booked_under_a_new_id(api: httpx.Client, sandbox: PontoSandbox):
    account_id = sandbox.accounts[0].id
    pending = api.get(f"{API}/accounts/{account_id}/pending-transactions").json()["data"]
    assert len(pending) == 3 and {p["type"] for p in pending} == {"pendingTransaction"}
    before = truth(api)["count"]
    booked = api.post(f"/_sandbox/pending/{pending[0]['id']}/book", json={}).json()["data"]
    assert booked["id"] != pending[0]["id"] and booked["type"] == "transaction"
    assert booked["attributes"]["amount"] == pending[0]["attributes"]["amount"]
    newest = api.get(f"{API}/accounts/{account_id}/transactions").json()["data"][0]
    assert newest["id"] == booked["id"] and truth(api)["count"] == before + 1
    assert len(api.get(f"{API}/accounts/{account_id}/pending-transactions").json()["data"]) == 2
    assert api.get(f"{API}/accounts/{account_id}/pending-transactions/{pending[0]['id']}").status_code == 404


def test_pending_transactions_settle_by_themselves_as_time_passes(api: httpx.Client, sandbox: PontoSandbox):
    pending_ids = {p.id for p in sandbox.accounts[0].pending}
    advance(api, 2 * 86400 + 1)
    tokens = login(api)
    api.headers["Authorization"] = f"Bearer {tokens['access_token']}"
    left = api.get(f"{API}/accounts/{sandbox.accounts[0].id}/pending-transactions").json()["data"]
    assert len(left) == 1 and left[0]["id"] in pending_ids
    newest = [row["id"] for row in truth(api)["transactions"][:2]]
    assert not set(newest) & pending_ids


def test_added_transactions_come_first_with_exact_amounts(api: httpx.Client, sandbox: PontoSandbox):
    account = sandbox.accounts[0]
    balance_before = Decimal(truth(api)["currentBalance"])
    given = {"amount": "1234.5", "invoiceYear": 2026, "invoiceSequence": 7, "counterpartName": "Brouwerij De Kroon BV"}
    added = api.post(f"/_sandbox/accounts/{account.id}/transactions", json={"count": 3, "transactions": [given]})
    assert added.status_code == 201
    created_ids = [t["id"] for t in added.json()["data"]]
    page = api.get(f"{API}/accounts/{account.id}/transactions", params={"page[limit]": 4})
    assert [t["id"] for t in page.json()["data"]] == created_ids[::-1]
    assert '"amount":1234.5,' in page.text
    reference = page.json()["data"][0]["attributes"]["remittanceInformation"]
    assert reference == format_reference(make_reference(2026_000_007))
    added_sum = sum(Decimal(t["attributes"]["amount"]) for t in added.json(parse_float=Decimal)["data"])
    assert Decimal(truth(api)["currentBalance"]) == balance_before + added_sum


# --- faults -------------------------------------------------------------------------------------------
def test_429_lets_after_through_then_fails_times_with_retry_after(api: httpx.Client, sandbox: PontoSandbox):
    path = f"/accounts/{sandbox.accounts[0].id}/transactions"
    fault = {"kind": "429", "path": path, "times": 2, "after": 1, "retry_after": 3}
    assert api.post("/_sandbox/faults", json=fault).status_code == 201
    statuses = [api.get(f"{API}{path}") for _ in range(4)]
    assert [r.status_code for r in statuses] == [200, 429, 429, 200]
    assert statuses[1].headers["retry-after"] == "3" and error_code(statuses[1]) == "tooManyRequests"
    assert api.get(f"{API}/accounts").status_code == 200  # another path is untouched
    assert api.get("/_sandbox/faults").json()["faults"][0]["fired"] == 2


@pytest.mark.parametrize(("kind", "status"), [("500", 500), ("503", 503)])
def test_server_errors_are_json_api(api: httpx.Client, kind: str, status: int):
    assert api.post("/_sandbox/faults", json={"kind": kind, "path": "/accounts"}).status_code == 201
    failed = api.get(f"{API}/accounts")
    assert failed.status_code == status and failed.json()["errors"][0]["meta"]["requestId"]
    assert api.get(f"{API}/accounts").status_code == 200


def test_timeout_outlasts_the_client(api: httpx.Client):
    assert (
        api.post("/_sandbox/faults", json={"kind": "timeout", "path": "/accounts", "seconds": 1.5}).status_code == 201
    )
    with pytest.raises(httpx.ReadTimeout):
        api.get(f"{API}/accounts", timeout=0.3)
    assert api.get(f"{API}/accounts").status_code == 200


def test_drop_closes_the_connection_without_an_answer(api: httpx.Client):
    assert api.post("/_sandbox/faults", json={"kind": "drop", "path": "/accounts"}).status_code == 201
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        api.get(f"{API}/accounts")
    assert api.get(f"{API}/accounts").status_code == 200


def test_malformed_answers_200_with_broken_json(api: httpx.Client):
    assert api.post("/_sandbox/faults", json={"kind": "malformed", "path": "/accounts"}).status_code == 201
    response = api.get(f"{API}/accounts")
    assert response.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        response.json()


def test_expired_consent_refuses_reads_and_fails_synchronizations(api: httpx.Client, sandbox: PontoSandbox):
    assert api.post("/_sandbox/faults", json={"kind": "expired_consent"}).status_code == 201
    refused = api.get(f"{API}/accounts")
    assert refused.status_code == 403 and error_code(refused) == "authorizationExpired"
    sync_id = start_sync(api, sandbox.accounts[0].id).json()["data"]["id"]
    advance(api, 2)
    attributes = api.get(f"{API}/synchronizations/{sync_id}").json()["data"]["attributes"]
    assert attributes["status"] == "error" and attributes["errors"][0]["code"] == "authorizationExpired"
    assert api.delete("/_sandbox/faults").status_code == 200
    assert api.get(f"{API}/accounts").status_code == 200


def test_consent_runs_out_after_90_days_and_reauthorization_renews_it(
    api: httpx.Client, sandbox: PontoSandbox, tokens: dict[str, Any]
):
    account_id = sandbox.accounts[0].id
    advance(api, 91 * 86400)
    api.headers["Authorization"] = f"Bearer {refresh(api, tokens['refresh_token']).json()['access_token']}"
    assert api.get(f"{API}/accounts/{account_id}").status_code == 200  # reading still works
    failed = start_sync(api, account_id).json()["data"]["id"]
    advance(api, 2)
    attributes = api.get(f"{API}/synchronizations/{failed}").json()["data"]["attributes"]
    assert attributes["status"] == "error" and attributes["errors"][0]["code"] == "authorizationExpired"
    body = {"data": {"type": "reauthorizationRequest", "attributes": {"redirectUri": REDIRECT}}}
    request = api.post(f"{API}/accounts/{account_id}/reauthorization-requests", json=body)
    assert request.status_code == 201
    visit = api.get(request.json()["data"]["links"]["redirect"])
    assert visit.status_code == 302 and visit.headers["location"] == REDIRECT
    expires = api.get(f"{API}/accounts/{account_id}").json()["data"]["attributes"]["authorizationExpirationExpectedAt"]
    assert datetime.fromisoformat(expires) == sandbox.now().replace(microsecond=0) + timedelta(days=90)
    renewed = start_sync(api, account_id, "accountDetails").json()["data"]["id"]
    advance(api, 2)
    assert api.get(f"{API}/synchronizations/{renewed}").json()["data"]["attributes"]["status"] == "success"


def test_revoked_kills_every_token(api: httpx.Client, tokens: dict[str, Any]):
    assert api.post("/_sandbox/faults", json={"kind": "revoked"}).status_code == 201
    assert error_code(api.get(f"{API}/accounts")) == "invalidAccessToken"
    assert refresh(api, tokens["refresh_token"]).json()["error"] == "invalid_grant"


def test_bad_fault_descriptions_are_refused(http: httpx.Client):
    assert http.post("/_sandbox/faults", json={"kind": "418"}).status_code == 400
    assert http.post("/_sandbox/faults", json={"kind": "429", "times": 0}).status_code == 400


# --- webhooks -------------------------------------------------------------------------------------------
class Receiver(BaseHTTPRequestHandler):
    received: list[tuple[dict[str, str], bytes]]
    arrived: threading.Event

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append(({key.lower(): value for key, value in self.headers.items()}, body))
        self.send_response(202)
        self.end_headers()
        self.arrived.set()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[tuple[str, type[Receiver]]]:
    handler = type("Handler", (Receiver,), {"received": [], "arrived": threading.Event()})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/webhooks/ponto", handler
    server.shutdown()
    server.server_close()


def b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def verify(signature: str, body: bytes, jwks: dict[str, Any]) -> dict[str, Any]:
    """What a receiver must check (§8): kid in the JWKS, RS512 signature, digest of the raw body."""
    header_part, claims_part, signature_part = signature.split(".")
    header = json.loads(b64decode(header_part))
    assert header["alg"] == "RS512"
    key = next(k for k in jwks["keys"] if k["kid"] == header["kid"] and k["use"] == "sig" and k["status"] == "ACTIVE")
    numbers = RSAPublicNumbers(int.from_bytes(b64decode(key["e"]), "big"), int.from_bytes(b64decode(key["n"]), "big"))
    numbers.public_key().verify(
        b64decode(signature_part), f"{header_part}.{claims_part}".encode(), padding.PKCS1v15(), hashes.SHA512()
    )
    claims: dict[str, Any] = json.loads(b64decode(claims_part))
    assert claims["digest"] == base64.b64encode(hashlib.sha512(body).digest()).decode()
    return claims


def test_webhook_is_signed_rs512_and_verifiable_with_the_jwks(
    api: httpx.Client, sandbox: PontoSandbox, receiver: tuple[str, type[Receiver]]
):
    url, handler = receiver
    assert api.post("/_sandbox/webhooks", json={"url": url, "client_id": DEFAULT_CLIENT_ID}).status_code == 200
    api.post(f"/_sandbox/accounts/{sandbox.accounts[0].id}/transactions", json={"count": 1})
    assert handler.arrived.wait(5)
    headers, body = handler.received[0]
    jwks = api.get("/webhooks/keys").json()
    claims = verify(headers["signature"], body, jwks)
    assert claims["aud"] == DEFAULT_CLIENT_ID and claims["iss"] == "https://api.ibanity.com"
    assert claims["exp"] == claims["iat"] + 60 and claims["iat"] <= sandbox.now().timestamp() < claims["exp"]
    assert claims["jti"]
    event = json.loads(body)["data"]
    assert event["type"] == "pontoConnect.account.transactionsCreated" and event["attributes"]["count"] == 1
    assert event["relationships"]["account"]["data"]["id"] == sandbox.accounts[0].id
    sync_id = event["relationships"]["synchronization"]["data"]["id"]
    assert api.get(f"{API}/synchronizations/{sync_id}").json()["data"]["attributes"]["status"] == "success"

    with pytest.raises(AssertionError):
        verify(headers["signature"], body.replace(b'"count":1', b'"count":2'), jwks)
    header_part, claims_part, signature_part = headers["signature"].split(".")
    forged = f"{header_part}.{claims_part[:-4]}AAAA.{signature_part}"
    with pytest.raises((InvalidSignature, ValueError)):
        verify(forged, body, jwks)


def test_webhook_for_an_update_points_at_its_updated_transactions(
    api: httpx.Client, sandbox: PontoSandbox, receiver: tuple[str, type[Receiver]]
):
    url, handler = receiver
    api.post("/_sandbox/webhooks", json={"url": url})
    target = sandbox.accounts[0].transactions[10].id
    api.patch(f"/_sandbox/transactions/{target}", json={"counterpartName": "Renamed NV"})
    assert handler.arrived.wait(5)
    event = json.loads(handler.received[0][1])["data"]
    assert event["type"] == "pontoConnect.account.transactionsUpdated"
    sync_id = event["relationships"]["synchronization"]["data"]["id"]
    updated = api.get(f"{API}/synchronizations/{sync_id}/updated-transactions").json()["data"]
    assert [(t["id"], t["attributes"]["counterpartName"]) for t in updated] == [(target, "Renamed NV")]
