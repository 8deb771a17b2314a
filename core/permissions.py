"""Access to organisation data: a signed-in member of the current organisation, with a role.

Reading needs `read_role` (viewer by default); any unsafe method needs `write_role` (finance by
default). Views of one object scope their queryset to the current organisation, so another
organisation's object is a 404, never a 403 that would confirm it exists.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar, cast

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import redirect
from django.utils.translation import gettext
from django.views import View
from django.views.generic.detail import SingleObjectMixin

from core.http import OrganizationRequest, is_organization_request
from core.models import Membership, Organization, Role, User

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
ViewFunc = TypeVar("ViewFunc", bound=Callable[..., HttpResponseBase])


def _gate(request: HttpRequest, read_role: Role, write_role: Role) -> OrganizationRequest | HttpResponseBase:
    """The request, typed, when it may go on; else the response that stops it (sign in, pick an
    organisation)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not is_organization_request(request):
        return redirect("organization_create")
    needed = read_role if request.method in SAFE_METHODS else write_role
    if not request.membership.has_role(needed):
        raise PermissionDenied(
            gettext("Your role (%(role)s) cannot do this; it needs %(needed)s or higher.")
            % {"role": request.membership.role_enum.label.lower(), "needed": needed.label.lower()}
        )
    return request


def acting_user(request: HttpRequest) -> User:
    """The signed-in user of a request that passed the organisation gate."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied(gettext("Sign in first."))
    return user


def organization_required(
    read_role: Role = Role.VIEWER, write_role: Role = Role.FINANCE
) -> Callable[[ViewFunc], ViewFunc]:
    def decorator(view: ViewFunc) -> ViewFunc:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            passed = _gate(request, read_role, write_role)
            return passed if isinstance(passed, HttpResponseBase) else view(passed, *args, **kwargs)

        return cast(ViewFunc, wrapped)

    return decorator


class OrganizationMixin(LoginRequiredMixin):
    """For class-based views; `get_queryset` is scoped to the current organisation."""

    read_role: Role = Role.VIEWER
    write_role: Role = Role.FINANCE
    # `self.request` as the gate let it through, typed; Django's views type `request` as a plain
    # HttpRequest, which no subclass may narrow.
    organization_request: OrganizationRequest

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        passed = _gate(request, self.read_role, self.write_role)
        if isinstance(passed, HttpResponseBase):
            return passed
        self.organization_request = passed
        return super().dispatch(request, *args, **kwargs)

    @property
    def organization(self) -> Organization:
        return self.organization_request.organization

    @property
    def membership(self) -> Membership:
        return self.organization_request.membership

    def get_queryset(self) -> QuerySet[Any]:
        queryset = super().get_queryset()  # type: ignore[misc]
        return cast(QuerySet[Any], queryset.filter(organization=self.organization))


class ObjectActionView(OrganizationMixin, SingleObjectMixin[Any], View):
    """POST-only action on one object of the current organisation.

    Subclasses set `model` and implement `act`; a ValidationError from it becomes an error
    message (the user sees why, nothing changes), and the user lands on `get_success_url`.
    """

    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        obj = self.get_object()
        try:
            outcome = self.act(self.organization_request, obj)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(self.get_failure_url(obj))
        return redirect(outcome if isinstance(outcome, str) else self.get_success_url(obj))

    def act(self, request: OrganizationRequest, obj: Any) -> str | None:
        """Do the action; return a URL to go to, or None for get_success_url."""
        raise NotImplementedError

    def get_success_url(self, obj: Any) -> str:
        return str(obj.get_absolute_url())

    def get_failure_url(self, obj: Any) -> str:
        return self.get_success_url(obj)
