"""Shared factories for the whole suite."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import factory
from django.db import models

from core.audit import record_event
from core.models import AuditEvent, Membership, Organization, Role, User

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified_email(user: User, create: bool, extracted: Any, **kwargs: Any) -> None:
        from allauth.account.models import EmailAddress

        user.save()
        if create:
            EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)


class OrganizationFactory(factory.django.DjangoModelFactory[Organization]):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Organisation {n}")


class MembershipFactory(factory.django.DjangoModelFactory[Membership]):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = Role.OWNER


def member(organization: Organization, role: Role = Role.OWNER, **user_fields: Any) -> User:
    user = UserFactory.create(**user_fields)
    MembershipFactory.create(user=user, organization=organization, role=role)
    return user


def audit_event_in(organization: Organization) -> AuditEvent:
    return record_event("test.event", organization=organization, after={"value": 1})


# One way to make an object owned by a given organisation, for every model that a URL takes
# the id of. The tenancy test walks the URL patterns and fails for a model missing here.
TENANT_OBJECT_FACTORIES: dict[type[models.Model], Callable[[Organization], models.Model]] = {
    Membership: lambda organization: MembershipFactory.create(organization=organization, role=Role.VIEWER),
    AuditEvent: audit_event_in,
}
