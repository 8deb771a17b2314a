"""What a caller may do: a member of the request's organisation, with the role a screen would
ask for (`read_role` to read, `write_role` to change), through a key whose scope allows it."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from api.models import ApiKey
from core.models import Membership, Role


def membership_of(request: Request) -> Membership | None:
    membership = getattr(request._request, "membership", None)
    return membership if isinstance(membership, Membership) else None


class OrganizationRole(BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        if not request.user or not request.user.is_authenticated:
            return False
        membership = membership_of(request)
        if membership is None:
            raise PermissionDenied(_("Create or join an organisation first."))
        safe = request.method in SAFE_METHODS
        if not safe and isinstance(request.auth, ApiKey) and not request.auth.can_write:
            raise PermissionDenied(_("This API key may only read."))
        needed: Role = getattr(view, "read_role", Role.VIEWER) if safe else getattr(view, "write_role", Role.FINANCE)
        if not membership.has_role(needed):
            raise PermissionDenied(
                _("Your role (%(role)s) cannot do this; it needs %(needed)s or higher.")
                % {"role": membership.role_enum.label.lower(), "needed": needed.label.lower()}
            )
        return True
