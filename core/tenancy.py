"""The request's current organisation, resolved from a cached list of the user's memberships.

The list is cached (one cache read per request instead of a query) and forgotten whenever a
membership or organisation changes, so a new role takes effect on the next request.
"""

from __future__ import annotations

from django.core.cache import cache
from django.http import HttpRequest

from core.models import Membership, Organization

SESSION_KEY = "organization_id"
_CACHE_TIMEOUT = 60 * 60

CachedRow = tuple[int, str, int, str, str]


def _cache_key(user_id: int) -> str:
    return f"memberships:{user_id}"


def memberships_for(user_id: int) -> list[Membership]:
    rows: list[CachedRow] | None = cache.get(_cache_key(user_id))
    if rows is None:
        rows = list(
            Membership.objects.filter(user_id=user_id)
            .order_by("created_at", "id")
            .values_list("id", "role", "organization_id", "organization__name", "organization__slug")
        )
        cache.set(_cache_key(user_id), rows, _CACHE_TIMEOUT)
    return [_membership(user_id, row) for row in rows]


def _membership(user_id: int, row: CachedRow) -> Membership:
    membership_id, role, org_id, org_name, org_slug = row
    organization = Organization.from_db("default", ["id", "name", "slug"], [org_id, org_name, org_slug])
    membership = Membership.from_db(
        "default", ["id", "user_id", "organization_id", "role"], [membership_id, user_id, org_id, role]
    )
    membership.organization = organization
    return membership


def forget_memberships(user_id: int) -> None:
    cache.delete(_cache_key(user_id))


def current_membership(request: HttpRequest, memberships: list[Membership]) -> Membership | None:
    chosen = request.session.get(SESSION_KEY)
    for membership in memberships:
        if membership.organization_id == chosen:
            return membership
    return memberships[0] if memberships else None


def switch_organization(request: HttpRequest, organization_id: int) -> Membership | None:
    """Make `organization_id` current for this session, if the user belongs to it."""
    for membership in memberships_for(int(request.user.pk or 0)):
        if membership.organization_id == organization_id:
            request.session[SESSION_KEY] = organization_id
            return membership
    return None
