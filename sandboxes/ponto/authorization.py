"""HTTP handlers of the OAuth2 endpoints: the consent page, the token endpoint and revocation."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sandboxes.kit.web import JSON, Request, Response, html_response, json_response, redirect
from sandboxes.ponto.consent import ConsentError, consent_page, error_page, redirect_to, validate
from sandboxes.ponto.oauth import INVALID_REQUEST, OAuthError

if TYPE_CHECKING:
    from sandboxes.ponto.state import PontoSandbox

NO_STORE = (("Cache-Control", "no-store"), ("Pragma", "no-cache"))


def authorize_page(sandbox: PontoSandbox, request: Request, params: dict[str, str]) -> Response:
    query = {name: values[0] for name, values in request.query.items()}
    try:
        authorization = validate(query, sandbox.oauth.client)
    except ConsentError as error:
        return html_response(error_page(str(error)), 400)
    html = consent_page(authorization, sandbox.organization.name, sandbox.accounts, request.path)
    return html_response(html)


def authorize_decision(sandbox: PontoSandbox, request: Request, params: dict[str, str]) -> Response:
    fields = request.form()
    try:
        authorization = validate(fields, sandbox.oauth.client)
    except ConsentError as error:
        return html_response(error_page(str(error)), 400)
    decision = fields.get("decision")
    if decision == "deny":
        return redirect(
            redirect_to(
                authorization.redirect_uri,
                error="access_denied",
                error_description="The resource owner denied the request",
                state=authorization.state,
            )
        )
    if decision != "approve":
        return html_response(error_page("decision must be approve or deny."), 400)
    code = sandbox.oauth.issue_code(
        authorization.client, authorization.redirect_uri, authorization.scope, authorization.code_challenge
    )
    sandbox.grant_consent()
    return redirect(redirect_to(authorization.redirect_uri, code=code, state=authorization.state))


def _required(fields: dict[str, str], name: str) -> str:
    value = fields.get(name)
    if not value:
        raise OAuthError("invalid_request", INVALID_REQUEST, f"The {name} parameter is missing.")
    return value


def token(sandbox: PontoSandbox, request: Request, params: dict[str, str]) -> Response:
    fields = request.form()
    store = sandbox.oauth
    client = store.authenticate(request.headers.get("authorization", ""), fields.get("client_id"))
    grant = fields.get("grant_type")
    if grant == "authorization_code":
        body = store.exchange_code(
            client, _required(fields, "code"), _required(fields, "code_verifier"), _required(fields, "redirect_uri")
        )
    elif grant == "refresh_token":
        body = store.refresh(client, _required(fields, "refresh_token"))
    elif grant == "client_credentials":
        body = store.client_credentials(client)
    else:
        raise OAuthError(
            "unsupported_grant_type",
            "The authorization grant type is not supported by the authorization server.",
            f"grant_type {grant!r} is not one of authorization_code, refresh_token, client_credentials.",
        )
    return json_response(body, content_type=JSON, headers=NO_STORE)


def revoke(sandbox: PontoSandbox, request: Request, params: dict[str, str]) -> Response:
    fields = request.form()
    client = sandbox.oauth.authenticate(request.headers.get("authorization", ""), fields.get("client_id"))
    sandbox.oauth.revoke(client, _required(fields, "token"))
    return json_response({}, content_type=JSON)


def oauth_error_response(error: OAuthError) -> Response:
    headers = [*NO_STORE]
    if error.status == 401:
        headers.append(("WWW-Authenticate", 'Basic realm="ponto-sandbox"'))
    return json_response(error.body(), error.status, JSON, headers)
