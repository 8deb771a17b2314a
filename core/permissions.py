"""Access to organisation data: a signed-in member of the current organisation, with a role.

Reading needs `read_role` (viewer by default); any unsafe method needs `write_role` (finance by
default). Views of one object scope their queryset to the current organisation, so another
organisation's object is a 404, never a 403 that would confirm it exists.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar, cast

from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import redirect

from core.models import Organization, Role

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
ViewFunc = TypeVar("ViewFunc", bound=Callable[..., HttpResponseBase])


def _gate(request: HttpRequest, read_role: Role, write_role: Role) -> HttpResponseBase | None:
    """A response that stops the request (sign in, pick an organisation), or None to go on."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    membership = request.membership  # type: ignore[attr-defined]
    if membership is None:
        return redirect("organization_create")
    needed = read_role if request.method in SAFE_METHODS else write_role
    if not membership.has_role(needed):
        raise PermissionDenied(
            f"Your role ({membership.role}) cannot do this; it needs {needed.label.lower()} or higher."
        )
    return None


def organization_required(
    read_role: Role = Role.VIEWER, write_role: Role = Role.FINANCE
) -> Callable[[ViewFunc], ViewFunc]:
    def decorator(view: ViewFunc) -> ViewFunc:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            stop = _gate(request, read_role, write_role)
            return stop if stop is not None else view(request, *args, **kwargs)

        return cast(ViewFunc, wrapped)

    return decorator


class OrganizationMixin(LoginRequiredMixin):
    """For class-based views; `get_queryset` is scoped to the current organisation."""

    read_role: Role = Role.VIEWER
    write_role: Role = Role.FINANCE
    request: HttpRequest

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        stop = _gate(request, self.read_role, self.write_role)
        if stop is not None:
            return stop
        return super().dispatch(request, *args, **kwargs)

    @property
    def organization(self) -> Organization:
        return self.request.organization  # type: ignore[attr-defined,no-any-return]

    def get_queryset(self) -> QuerySet[Any]:
        queryset = super().get_queryset()  # type: ignore[misc]
        return cast(QuerySet[Any], queryset.filter(organization=self.organization))
