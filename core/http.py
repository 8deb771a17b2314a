"""Facts about the incoming request that several parts of the service need."""

from __future__ import annotations

from typing import TypeGuard

from django.http import HttpRequest
from django.utils.encoding import iri_to_uri
from django.utils.http import url_has_allowed_host_and_scheme

from core.logging import request_id_var
from core.models import Membership, Organization, User


class TenantRequest(HttpRequest):
    """Any request past `CurrentOrganizationMiddleware`: the user's memberships, and the current
    one (None when signed out or a member of no organisation yet)."""

    organization: Organization | None
    membership: Membership | None
    memberships: list[Membership]


class OrganizationRequest(TenantRequest):
    """A request that passed the organisation gate of `core.permissions`: a signed-in member of
    the current organisation. Views behind that gate take this type."""

    user: User
    organization: Organization
    membership: Membership


def is_organization_request(request: HttpRequest) -> TypeGuard[OrganizationRequest]:
    """Whether a signed-in user has a current organisation on this request."""
    return isinstance(request.user, User) and isinstance(getattr(request, "membership", None), Membership)


def client_ip(request: HttpRequest) -> str | None:
    """The client's address, trusting X-Forwarded-For only as far as TRUSTED_PROXY_COUNT says."""
    from allauth.account.adapter import get_adapter

    try:
        return str(get_adapter(request).get_client_ip(request))
    except Exception:  # noqa: BLE001 - a malformed header must never break the request
        return None


def user_agent(request: HttpRequest) -> str:
    return request.headers.get("user-agent", "")[:300]


def current_request_id() -> str:
    value = request_id_var.get()
    return "" if value == "-" else value


def wants_json(request: HttpRequest) -> bool:
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def is_id(text: str) -> bool:
    """Whether a posted or queried value can be a row id: ASCII digits that fit a bigint
    (`str.isdigit` also accepts "²", which `int` refuses)."""
    return text.isascii() and text.isdigit() and len(text) <= 18


def own_page(request: HttpRequest, target: str, fallback: str) -> str:
    """`target` when it is a path on this site (a form's `next`, a Referer), else `fallback`:
    never a redirect to another host."""
    if target.startswith("/") and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return iri_to_uri(target)
    return fallback
