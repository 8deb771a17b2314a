"""Who calls the API: a program with an organisation's API key (`Authorization: Bearer sik_…`),
or a signed-in browser with its session (and CSRF token), as in the rest of the service."""

from __future__ import annotations

from typing import Any

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from rest_framework.authentication import BaseAuthentication, SessionAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

from api.keys import find_key, note_use
from api.models import ApiKey
from core.models import Membership, User


class ApiKeyAuthentication(BaseAuthentication):
    """The key's organisation becomes the request's, and the member who created it its user: the
    key can never do more than that member may do today."""

    def authenticate(self, request: Request) -> tuple[User, ApiKey] | None:
        scheme, _space, token = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
        if scheme.casefold() != "bearer":
            return None
        key = find_key(token.strip())
        if key is None:
            raise AuthenticationFailed(_("This API key is not valid."))
        if key.is_revoked:
            raise AuthenticationFailed(_("This API key was revoked."))
        if key.expires_at is not None and key.is_expired():
            raise AuthenticationFailed(
                _("This API key expired on %(day)s.") % {"day": date_format(key.expires_at, "DATE_FORMAT")}
            )
        membership = Membership.objects.filter(user_id=key.created_by_id, organization_id=key.organization_id).first()
        if membership is None or not key.created_by.is_active:
            raise AuthenticationFailed(_("The member who created this API key is no longer in the organisation."))
        membership.organization = key.organization
        # What CurrentOrganizationMiddleware sets for a session, so services and audit events
        # read the request the same way.
        django_request: Any = request._request
        django_request.organization = key.organization
        django_request.membership = membership
        django_request.memberships = [membership]
        note_use(key)
        return key.created_by, key

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'


class BrowserSessionAuthentication(SessionAuthentication):
    """The session of a signed-in member, CSRF-checked on unsafe methods; the organisation is the
    one CurrentOrganizationMiddleware chose."""
