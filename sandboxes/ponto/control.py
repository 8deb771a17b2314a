"""The sandbox's own control API under `/_sandbox/` (not Ponto's): data, clock, faults, clients, webhooks.

No authentication; plain JSON in and out; errors are `{"error": "…"}`.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING

from sandboxes.kit.web import ControlError, Request, Response, control_body, json_response, redirect
from sandboxes.ponto.api import api_base
from sandboxes.ponto.api_errors import ApiError
from sandboxes.ponto.encoding import iso_ms
from sandboxes.ponto.resources import synchronization_resource, transaction_resource

if TYPE_CHECKING:
    from sandboxes.ponto.records import Transaction
    from sandboxes.ponto.state import PontoSandbox

ENDPOINTS = {
    "GET /_sandbox/ground-truth": "every booked transaction per account (id, amount), counts and sums",
    "POST /_sandbox/accounts/{id}/transactions": '{"count": n} and/or {"transactions": [{attributes}]}',
    "POST /_sandbox/accounts/{id}/pending": "the same, held as pending transactions",
    "PATCH /_sandbox/transactions/{id}": "{attributes}: correct a booked or pending transaction",
    "POST /_sandbox/pending/{id}/book": "{attributes?}: book a pending transaction under a new id",
    "POST /_sandbox/accounts/{id}/synchronize": '{"subtype"?}: Ponto synchronizes the account by itself now',
    "GET|POST|DELETE /_sandbox/faults": '{"kind", "path", "times", "after", "retry_after", "seconds"}',
    "GET|POST /_sandbox/clock": '{"seconds": n} moves the sandbox clock forward',
    "GET /_sandbox/tokens": "counts of issued, used and revoked codes and tokens",
    "POST /_sandbox/clients": '{"client_id", "client_secret", "redirect_uris": [...]}',
    "GET|POST|DELETE /_sandbox/webhooks": '{"url", "client_id"?}: where signed webhooks go',
    "POST /_sandbox/settings": '{"sync_cooldown", "sync_running_after", "sync_done_after"} in seconds',
}


def _body(request: Request) -> dict[str, object]:
    body = control_body(request)
    data = body.get("data")
    if isinstance(data, dict) and isinstance(data.get("attributes"), dict):
        return dict(data["attributes"])  # a JSON:API document is fine too
    return body


def _number(body: Mapping[str, object], *names: str, default: float | None = None) -> float:
    for name in names:
        value = body.get(name)
        if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
            return float(value)
    if default is None:
        raise ControlError(400, f"{names[0]} must be a number")
    return default


def _rendered(request: Request, transactions: list[Transaction], status: int = 201) -> Response:
    api = api_base(request)
    return json_response({"data": [transaction_resource(t, api) for t in transactions]}, status)


def index(sandbox: PontoSandbox, request: Request, params: dict[str, str]) -> Response:
    return json_response({"endpoints": ENDPOINTS, "accounts": [account.id for account in sandbox.accounts]})


def ground_truth(sandbox: PontoSandbox, request: Request, params: dict[str, str]) -> Response:
    return json_response(sandbox.ground_truth())


def _add(sandbox: PontoSandbox, request: Request, account_id: str, *, pending: bool) -> Response:
    body = _body(request)
    count = int(_number(body, "count", default=0))
    specs = body.get("transactions", [])
    if not isinstance(specs, list) or not all(isinstance(spec, dict) for spec in specs) or count < 0:
        raise ControlError(400, "transactions must be a list of objects and count a non-negative number")
    if count == 0 and not specs:
        raise ControlError(400, "give a count, transactions, or both")
    try:
        created = sandbox.add_transactions(account_id, count, specs, pending=pending)
    except ApiError as error:
        raise ControlError(error.status, error.detail) from error
    return _rendered(request, created)


def add_transactions(sandbox: PontoSandbox, request: Request, params: dict[str, str]) -> Response:
    return _add(sandbox, request, params["account"], pending=False)


def add_pending(sandbox: PontoSandbox, request: Request, params: dict[str, str]) -> Response:
    return _add(sandbox, request, params["account"], pending=True)


def update_transaction(sandbox: PontoSandbox, request: Request, params: dict[str, str]) -> Response:
    transaction = sandbox.update_transaction(params["id"], _body(request))
    return json_response({"data": transaction_resource(transaction, api_base(request))})


def synchronize(sandbox: PontoSandbox, request: Request, params: dict[str, str]) -> Response:
    subtype = _body(request).get("subtype", "accountTransactions") if request.body else "accountTransactions"
    try:
        sync = sandbox.synchronize(params["account"], str(subtype))
    except ApiError as error:
        raise ControlError(error.status, error.detail) from error
    return json_response({"data": synchronization_resource(sync, api_base(request), sandbox.now())}, 201)


def book_pending(sandbox: PontoSandbox, request: Request, params: dict[str, str]) -> Response:
    booked = sandbox.book_pending(params["id"], _body(request))
    return json_response({"data": transaction_resource(booked, api_base(request)), "meta": {"pendingId": params["id"]}})


def list_faults(sandbox: PontoSandbox, request: Request, params: dict[str, str]) -> Response:
    return json_response({"faults": sandbox.faults.describe()})


def add_fault(sandbox: PontoSandbox, request: Request, params: dict[str, str]) -> Response:
    return json_response(sandbox.add_fault(_body(request)).describe(), 201)


def clear_faults(sandbox: PontoSandbox, request: Request, params: dict[str, str]) -> Response:
    sandbox.faults.clear()
    return json_response({"faults": []})


def clock(sandbox: PontoSandbox, request: Request, params: dict[str, str]) -> Response:
    if request.method == "POST":
        seconds = _number(_body(request), "seconds", "advance")
        if seconds < 0:
            raise ControlError(400, "the sandbox clock only moves forward")
        sandbox.advance(seconds)
    return json_response({"now": iso_ms(sandbox.now())})


def tokens(sandbox: PontoSandbox, request: Request, params: dict[str, str]) -> Response:
    return json_response(sandbox.oauth.summary())


def register_client(sandbox: PontoSandbox, request: Request, params: dict[str, str]) -> Response:
    body = _body(request)
    client_id, secret, uris = body.get("client_id"), body.get("client_secret"), body.get("redirect_uris")
    if not isinstance(client_id, str) or not client_id or not isinstance(secret, str) or not secret:
        raise ControlError(400, "client_id and client_secret are required strings")
    if not isinstance(uris, list) or not all(isinstance(uri, str) for uri in uris):
        raise ControlError(400, "redirect_uris must be a list of URLs")
    client = sandbox.register_client(client_id, secret, [str(uri) for uri in uris])
    return json_response({"client_id": client.client_id, "redirect_uris": client.redirect_uris}, 201)


def webhooks(sandbox: PontoSandbox, request: Request, params: dict[str, str]) -> Response:
    if request.method == "POST":
        body = _body(request)
        url, audience = body.get("url"), body.get("client_id", sandbox.webhooks.audience)
        if not isinstance(url, str) or not url.startswith(("http://", "https://")) or not isinstance(audience, str):
            raise ControlError(400, "url must be an http(s) URL and client_id a string")
        sandbox.set_webhook(url, audience)
    elif request.method == "DELETE":
        sandbox.set_webhook(None, sandbox.webhooks.audience)
    return json_response(sandbox.webhooks.describe())


def settings(sandbox: PontoSandbox, request: Request, params: dict[str, str]) -> Response:
    body = _body(request)
    with sandbox.lock:
        sandbox.sync_cooldown = _number(body, "sync_cooldown", default=sandbox.sync_cooldown)
        sandbox.sync_running_after = _number(body, "sync_running_after", default=sandbox.sync_running_after)
        sandbox.sync_done_after = _number(body, "sync_done_after", default=sandbox.sync_done_after)
        current = {
            "sync_cooldown": sandbox.sync_cooldown,
            "sync_running_after": sandbox.sync_running_after,
            "sync_done_after": sandbox.sync_done_after,
        }
    return json_response(current)


def reauthorize(sandbox: PontoSandbox, request: Request, params: dict[str, str]) -> Response:
    """Where a reauthorization request's `links.redirect` points: renews that account's consent."""
    return redirect(sandbox.complete_reauthorization(params["id"]))
