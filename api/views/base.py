"""What every API view of organisation data shares: its rows scoped to the caller's organisation
(another organisation's object is a 404), the roles a screen would ask for."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from django.db.models import Model, QuerySet
from rest_framework import viewsets

from api.permissions import membership_of
from core.models import Membership, Organization, Role, User

_M = TypeVar("_M", bound=Model)


class OrganizationScoped(Generic[_M]):
    read_role: Role = Role.VIEWER
    write_role: Role = Role.FINANCE
    request: Any

    @property
    def membership(self) -> Membership:
        membership = membership_of(self.request)
        assert membership is not None  # OrganizationRole let the request in
        return membership

    @property
    def organization(self) -> Organization:
        return self.membership.organization

    @property
    def actor(self) -> User:
        user = self.request.user
        assert isinstance(user, User)
        return user

    def get_queryset(self) -> QuerySet[_M]:
        queryset: QuerySet[_M] = super().get_queryset()  # type: ignore[misc]
        return queryset.filter(organization_id=self.membership.organization_id)


class OrganizationViewSet(OrganizationScoped[_M], viewsets.GenericViewSet):  # type: ignore[type-arg]
    """A viewset over one organisation's rows; add DRF's mixins for the actions it offers."""

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        if membership_of(self.request) is not None:
            context["organization"] = self.organization
        return context
