"""Handlers of the Ponto Connect resource endpoints (reference §4): accounts, transactions, syncs."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, TypeVar

from sandboxes.kit.web import JSON, InvalidJson, Request, Response, json_response
from sandboxes.ponto.api_errors import ApiError, not_found, validation_error
from sandboxes.ponto.encoding import iso_ms
from sandboxes.ponto.oauth import AccessToken
from sandboxes.ponto.pagination import PageRequest, paginate
from sandboxes.ponto.resources import (
    PREFIX,
    account_resource,
    institution_resource,
    synchronization_resource,
    synchronization_summary,
    transaction_resource,
)

if TYPE_CHECKING:
    from sandboxes.ponto.state import PontoSandbox

T = TypeVar("T")
TRANSACTION_SYNCS = ("accountTransactions", "accountTransactionsWithUnsettled")


def api_base(request: Request) -> str:
    return f"{request.origin}{PREFIX}"


def require_user(sandbox: PontoSandbox, request: Request) -> AccessToken:
    """The request's user access token; 401 `invalidAccessToken` when missing, unknown, expired or revoked."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    record = sandbox.oauth.access_token(token.strip()) if scheme.lower() == "bearer" else None
    if record is None or record.chain is None:
        raise ApiError(401, "invalidAccessToken", "Your access token is invalid.")
    return record


def _collection(
    request: Request, items: Sequence[T], identify: Callable[[T], str], url: str, render: Callable[[T], object]
) -> dict[str, object]:
    """A collection document for `items` (held oldest first): data, links and meta.paging."""
    positions = {identify(item): index for index, item in enumerate(items)}
    page = paginate(items, positions.get, identify, PageRequest.parse(request), url)
    return {"data": [render(item) for item in page.items], "links": page.links, "meta": {"paging": page.paging}}


def links(sandbox: PontoSandbox, request: Request, params: dict[str, str]) -> Response:
    api = api_base(request)
    synchronization = f"{api}/synchronizations/{{synchronizationId}}"
    document = {
        "links": {
            "accounts": f"{api}/accounts/{{accountId}}",
            "account": {
                "transactions": f"{api}/accounts/{{accountId}}/transactions/{{transactionId}}",
                "pendingTransactions": f"{api}/accounts/{{accountId}}/pending-transactions/{{pendingTransactionId}}",
                "reauthorizationRequests": f"{api}/accounts/{{accountId}}/reauthorization-requests",
            },
            "synchronizations": synchronization,
            "synchronization": {
                "updatedTransactions": f"{synchronization}/updated-transactions",
                "updatedPendingTransactions": f"{synchronization}/updated-pending-transactions",
            },
            "financialInstitutions": f"{api}/financial-institutions/{{financialInstitutionId}}",
            "userinfo": f"{api}/userinfo",
            "oauth2": {"auth": f"{api}/oauth2/auth", "token": f"{api}/oauth2/token", "revoke": f"{api}/oauth2/revoke"},
            "webhooks": {"keys": f"{request.origin}/webhooks/keys"},
        }
    }
    return json_response(document, content_type=request.content_type)


def userinfo(sandbox: PontoSandbox, request: Request, params: dict[str, str]) -> Response:
    token = require_user(sandbox, request)
    organization = sandbox.organization
    document: dict[str, object] = {"sub": organization.id}
    if "name" in token.scope.split():
        document["name"] = organization.name
    document |= {
        "representativeOrganizationName": organization.name,
        "representativeOrganizationId": organization.id,
        "paymentsActivated": False,
        "paymentsActivationRequested": False,
        "paymentRequestsActivated": False,
        "paymentRequestsActivationRequested": False,
        "onboardingComplete": True,
    }
    return json_response(document, content_type=JSON)


def list_institutions(sandbox: PontoSandbox, request: Request, params: dict[str, str]) -> Response:
    url = f"{api_base(request)}/financial-institutions"
    document = _collection(request, sandbox.institutions, lambda fi: fi.id, url, institution_resource)
    return json_response(document, content_type=request.content_type)


def get_institution(sandbox: PontoSandbox, request: Request, params: dict[str, str]) -> Response:
    for institution in sandbox.institutions:
        if institution.id == params["id"]:
            return json_response({"data": institution_resource(institution)}, content_type=request.content_type)
    raise not_found("financialInstitution")


def list_accounts(sandbox: PontoSandbox, request: Request, params: dict[str, str]) -> Response:
    api, now = api_base(request), sandbox.now()
    with sandbox.lock:
        document = _collection(
            request,
            sandbox.accounts[::-1],  # the main account was "created" last, so it is listed first
            lambda account: account.id,
            f"{api}/accounts",
            lambda account: account_resource(
                account, api, sandbox.latest_synchronization(account.id), sandbox.synchronized_at(account.id), now
            ),
        )
    return json_response(document, content_type=request.content_type)


def get_account(sandbox: PontoSandbox, request: Request, params: dict[str, str]) -> Response:
    api = api_base(request)
    with sandbox.lock:
        account = sandbox.account(params["account"])
        latest, synchronized_at = sandbox.latest_synchronization(account.id), sandbox.synchronized_at(account.id)
        resource = account_resource(account, api, latest, synchronized_at, sandbox.now())
    return json_response({"data": resource}, content_type=request.content_type)


def _transactions_page(sandbox: PontoSandbox, request: Request, account_id: str, *, pending: bool) -> Response:
    api = api_base(request)
    with sandbox.lock:
        account = sandbox.account(account_id)
        url = f"{api}/accounts/{account.id}/{'pending-transactions' if pending else 'transactions'}"
        if pending:
            positions: Callable[[str], int | None] = {t.id: i for i, t in enumerate(account.pending)}.get
        else:
            positions = account.positions.get
        items = account.pending if pending else account.transactions
        page = paginate(items, positions, lambda t: t.id, PageRequest.parse(request), url)
        synchronized_at = sandbox.synchronized_at(account.id)
        meta: dict[str, object] = {
            "paging": page.paging,
            "synchronizedAt": iso_ms(synchronized_at) if synchronized_at else None,
        }
        latest = sandbox.latest_synchronization(account.id, TRANSACTION_SYNCS)
        if latest is not None:
            meta["latestSynchronization"] = synchronization_summary(latest, sandbox.now())
        data = [transaction_resource(t, api) for t in page.items]
    return json_response({"data": data, "links": page.links, "meta": meta}, content_type=request.content_type)


def list_transactions(sandbox: PontoSandbox, request: Request, params: dict[str, str]) -> Response:
    return _transactions_page(sandbox, request, params["account"], pending=False)


def list_pending(sandbox: PontoSandbox, request: Request, params: dict[str, str]) -> Response:
    return _transactions_page(sandbox, request, params["account"], pending=True)


def get_transaction(sandbox: PontoSandbox, request: Request, params: dict[str, str]) -> Response:
    with sandbox.lock:
        sandbox.account(params["account"])
        transaction = sandbox.transaction(params["account"], params["id"], pending=False)
        resource = transaction_resource(transaction, api_base(request))
    return json_response({"data": resource}, content_type=request.content_type)


def get_pending(sandbox: PontoSandbox, request: Request, params: dict[str, str]) -> Response:
    with sandbox.lock:
        sandbox.account(params["account"])
        transaction = sandbox.transaction(params["account"], params["id"], pending=True)
        resource = transaction_resource(transaction, api_base(request))
    return json_response({"data": resource}, content_type=request.content_type)


def _attributes(request: Request, resource_type: str) -> dict[str, object]:
    try:
        body = request.json()
    except InvalidJson as error:
        raise ApiError(400, "invalidJson", str(error)) from error
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, dict) or data.get("type") != resource_type:
        raise validation_error("data/type", f'The body must be {{"data": {{"type": "{resource_type}", ...}}}}.')
    attributes = data.get("attributes")
    if not isinstance(attributes, dict):
        raise validation_error("data/attributes", "attributes is required.")
    return attributes


def create_synchronization(sandbox: PontoSandbox, request: Request, params: dict[str, str]) -> Response:
    attributes = _attributes(request, "synchronization")
    if attributes.get("resourceType") != "account":
        raise validation_error("resourceType", "resourceType must be account.")
    for name in ("resourceId", "subtype", "customerIpAddress"):
        if not isinstance(attributes.get(name), str) or not attributes[name]:
            raise validation_error(name, f"{name} is required.")
    sync = sandbox.create_synchronization(
        str(attributes["resourceId"]), str(attributes["subtype"]), str(attributes["customerIpAddress"])
    )
    resource = synchronization_resource(sync, api_base(request), sandbox.now())
    return json_response({"data": resource}, 201, request.content_type)


def get_synchronization(sandbox: PontoSandbox, request: Request, params: dict[str, str]) -> Response:
    with sandbox.lock:
        resource = synchronization_resource(sandbox.synchronization(params["id"]), api_base(request), sandbox.now())
    return json_response({"data": resource}, content_type=request.content_type)


def _updated(sandbox: PontoSandbox, request: Request, sync_id: str, *, pending: bool) -> Response:
    api = api_base(request)
    with sandbox.lock:
        sync = sandbox.synchronization(sync_id)
        suffix = "updated-pending-transactions" if pending else "updated-transactions"
        document = _collection(
            request,
            sandbox.updated_transactions(sync, pending=pending),
            lambda t: t.id,
            f"{api}/synchronizations/{sync.id}/{suffix}",
            lambda t: transaction_resource(t, api),
        )
    return json_response(document, content_type=request.content_type)


def updated_transactions(sandbox: PontoSandbox, request: Request, params: dict[str, str]) -> Response:
    return _updated(sandbox, request, params["id"], pending=False)


def updated_pending_transactions(sandbox: PontoSandbox, request: Request, params: dict[str, str]) -> Response:
    return _updated(sandbox, request, params["id"], pending=True)


def create_reauthorization(sandbox: PontoSandbox, request: Request, params: dict[str, str]) -> Response:
    attributes = _attributes(request, "reauthorizationRequest")
    redirect_uri = attributes.get("redirectUri")
    if not isinstance(redirect_uri, str) or not redirect_uri:
        raise validation_error("redirectUri", "redirectUri is required.")
    reauthorization = sandbox.request_reauthorization(params["account"], redirect_uri)
    document = {
        "data": {
            "type": "reauthorizationRequest",
            "id": reauthorization.id,
            "links": {"redirect": f"{request.origin}/_sandbox/reauthorize/{reauthorization.id}"},
        }
    }
    return json_response(document, 201, request.content_type)


def webhook_keys(sandbox: PontoSandbox, request: Request, params: dict[str, str]) -> Response:
    return json_response(sandbox.webhooks.signer.jwks(), content_type=JSON)
