"""Organisation and membership changes: atomic, permission-checked and audited."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest

from core.audit import record_event
from core.models import Membership, Organization, Role, User


@transaction.atomic
def create_organization(name: str, *, owner: User, request: HttpRequest | None = None) -> Organization:
    organization = Organization.objects.create(name=name.strip())
    membership = Membership.objects.create(user=owner, organization=organization, role=Role.OWNER)
    record_event(
        "organization.created",
        request=request,
        actor=owner,
        organization=organization,
        target=organization,
        after={"name": organization.name, "owner": owner.email},
    )
    record_event(
        "membership.added",
        request=request,
        actor=owner,
        organization=organization,
        target=membership,
        after={"user": owner.email, "role": membership.role},
    )
    return organization


def _fresh(actor: Membership) -> Membership:
    """The acting membership as the database has it now, not as a cached page saw it."""
    try:
        return Membership.objects.select_related("user", "organization").get(pk=actor.pk)
    except Membership.DoesNotExist as exc:
        raise PermissionDenied("You are no longer a member of this organisation.") from exc


def _require(actor: Membership, role: Role) -> None:
    if not actor.has_role(role):
        raise PermissionDenied(f"This needs the {role.label.lower()} role or higher.")


def _guard_owner_change(actor: Membership, target: Membership) -> None:
    if target.role == Role.OWNER and actor.role != Role.OWNER:
        raise PermissionDenied("Only an owner can change or remove another owner.")


def _guard_last_owner(target: Membership) -> None:
    if target.role != Role.OWNER:
        return
    owners = Membership.objects.select_for_update().filter(organization_id=target.organization_id, role=Role.OWNER)
    if len(owners) <= 1:
        raise ValidationError("An organisation needs at least one owner: make someone else owner first.")


@transaction.atomic
def add_member(*, actor: Membership, email: str, role: Role, request: HttpRequest | None = None) -> Membership:
    actor = _fresh(actor)
    _require(actor, Role.ADMIN)
    if role == Role.OWNER and actor.role != Role.OWNER:
        raise PermissionDenied("Only an owner can add another owner.")
    user = User.objects.filter(email__iexact=email.strip()).first()
    if user is None:
        raise ValidationError("No account uses this email address yet. Ask them to sign up first, then add them.")
    if Membership.objects.filter(user=user, organization_id=actor.organization_id).exists():
        raise ValidationError(f"{user.email} is already a member of this organisation.")
    membership = Membership.objects.create(user=user, organization_id=actor.organization_id, role=role)
    record_event(
        "membership.added",
        request=request,
        actor=actor.user,
        organization=actor.organization,
        target=membership,
        after={"user": user.email, "role": role.value},
    )
    return membership


@transaction.atomic
def change_role(
    *, actor: Membership, membership: Membership, role: Role, request: HttpRequest | None = None
) -> Membership:
    actor = _fresh(actor)
    _require(actor, Role.ADMIN)
    _guard_owner_change(actor, membership)
    if role == Role.OWNER and actor.role != Role.OWNER:
        raise PermissionDenied("Only an owner can make someone an owner.")
    if membership.role == role:
        return membership
    if role != Role.OWNER:
        _guard_last_owner(membership)
    before = {"user": membership.user.email, "role": membership.role}
    membership.role = role
    membership.save(update_fields=["role"])
    record_event(
        "membership.role_changed",
        request=request,
        actor=actor.user,
        organization=actor.organization,
        target=membership,
        before=before,
        after={"user": membership.user.email, "role": role.value},
    )
    return membership


@transaction.atomic
def remove_member(*, actor: Membership, membership: Membership, request: HttpRequest | None = None) -> None:
    actor = _fresh(actor)
    leaving = actor.pk == membership.pk
    if not leaving:
        _require(actor, Role.ADMIN)
        _guard_owner_change(actor, membership)
    _guard_last_owner(membership)
    before = {"user": membership.user.email, "role": membership.role}
    record_event(
        "membership.removed",
        request=request,
        actor=actor.user,
        organization=actor.organization,
        target=membership,
        before=before,
    )
    membership.delete()
