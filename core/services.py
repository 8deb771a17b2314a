"""Organisation, membership and invitation changes: atomic, permission-checked and audited."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from core.audit import record_event
from core.models import Invitation, Membership, Organization, Role, User
from core.models.invitations import hash_token

logger = logging.getLogger(__name__)


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
        raise PermissionDenied(gettext("You are no longer a member of this organisation.")) from exc


def _require(actor: Membership, role: Role) -> None:
    if not actor.has_role(role):
        raise PermissionDenied(gettext("This needs the %(role)s role or higher.") % {"role": role.label.lower()})


def _guard_owner_change(actor: Membership, target: Membership) -> None:
    if target.role == Role.OWNER and actor.role != Role.OWNER:
        raise PermissionDenied(gettext("Only an owner can change or remove another owner."))


def _guard_last_owner(target: Membership) -> None:
    if target.role != Role.OWNER:
        return
    owners = Membership.objects.select_for_update().filter(organization_id=target.organization_id, role=Role.OWNER)
    if len(owners) <= 1:
        raise ValidationError(gettext("An organisation needs at least one owner: make someone else owner first."))


@transaction.atomic
def invite_member(*, actor: Membership, email: str, role: Role, request: HttpRequest | None = None) -> Invitation:
    """Invite `email` to the actor's organisation, or renew the open invitation it already has.

    Whether the address has an account makes no difference here: the email asks its owner to
    sign in or sign up with it, and to accept. Nobody joins without accepting.
    """
    actor = _fresh(actor)
    _require(actor, Role.ADMIN)
    _require_owner_for(actor, role)
    email = User.objects.normalize_email(email.strip())
    organization = actor.organization
    if Membership.objects.filter(organization=organization, user__email__iexact=email).exists():
        raise ValidationError(gettext("%(email)s is already a member of this organisation.") % {"email": email})
    invitation = (
        Invitation.objects.select_for_update().open().filter(organization=organization, email__iexact=email).first()
    )
    before = None
    if invitation is None:
        invitation = Invitation(organization=organization, email=email)
        action = "invitation.created"
    else:
        before = {"email": invitation.email, "role": invitation.role}
        action = "invitation.resent"
    invitation.role = role
    _issue(invitation, actor=actor, action=action, request=request, before=before)
    return invitation


@transaction.atomic
def resend_invitation(*, actor: Membership, invitation: Invitation, request: HttpRequest | None = None) -> Invitation:
    actor = _fresh(actor)
    _require(actor, Role.ADMIN)
    invitation = _open_invitation(actor, invitation)
    _require_owner_for(actor, invitation.role_enum)
    _issue(invitation, actor=actor, action="invitation.resent", request=request)
    return invitation


def _issue(
    invitation: Invitation,
    *,
    actor: Membership,
    action: str,
    request: HttpRequest | None,
    before: dict[str, str] | None = None,
) -> None:
    """Give the invitation a fresh token from `actor`, audit it, and email the link once committed."""
    invitation.invited_by = actor.user
    token = invitation.issue_token()
    invitation.save()
    record_event(
        action,
        request=request,
        actor=actor.user,
        organization=actor.organization,
        target=invitation,
        before=before,
        after={"email": invitation.email, "role": invitation.role},
    )
    _send_invitation_once_committed(invitation, token)


@transaction.atomic
def revoke_invitation(*, actor: Membership, invitation: Invitation, request: HttpRequest | None = None) -> None:
    actor = _fresh(actor)
    _require(actor, Role.ADMIN)
    invitation = _open_invitation(actor, invitation)
    _require_owner_for(actor, invitation.role_enum)
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    record_event(
        "invitation.revoked",
        request=request,
        actor=actor.user,
        organization=actor.organization,
        target=invitation,
        before={"email": invitation.email, "role": invitation.role},
    )


@transaction.atomic
def accept_invitation(*, token: str, user: User, request: HttpRequest | None = None) -> Membership:
    """Join the organisation of the invitation `token`, signed in as the address it was sent to."""
    invitation = (
        Invitation.objects.select_for_update()
        .select_related("organization")
        .filter(token_hash=hash_token(token))
        .first()
    )
    if invitation is None or not invitation.is_pending:
        raise ValidationError(gettext("This invitation is no longer valid. Ask the organisation for a new one."))
    if invitation.email.casefold() != user.email.casefold():
        raise PermissionDenied(
            gettext("This invitation was sent to another email address: sign in with the address it was sent to.")
        )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    membership, created = Membership.objects.get_or_create(
        user=user, organization=invitation.organization, defaults={"role": invitation.role}
    )
    record_event(
        "invitation.accepted",
        request=request,
        actor=user,
        organization=invitation.organization,
        target=invitation,
        after={"email": invitation.email, "role": invitation.role},
    )
    if created:
        record_event(
            "membership.added",
            request=request,
            actor=user,
            organization=invitation.organization,
            target=membership,
            after={"user": user.email, "role": membership.role, "invited_by": _email_of(invitation.invited_by)},
        )
    return membership


def _require_owner_for(actor: Membership, role: Role) -> None:
    if role == Role.OWNER and actor.role != Role.OWNER:
        raise PermissionDenied(gettext("Only an owner can invite another owner."))


def _open_invitation(actor: Membership, invitation: Invitation) -> Invitation:
    locked = Invitation.objects.select_for_update().filter(pk=invitation.pk, organization_id=actor.organization_id)
    current = locked.open().first()
    if current is None:
        raise ValidationError(gettext("This invitation was already accepted or revoked."))
    return current


def _email_of(user: User | None) -> str:
    return user.email if user is not None else ""


def _send_invitation_once_committed(invitation: Invitation, token: str) -> None:
    """Email the link once the token is in the database: a transaction that fails after this
    sends nothing, so nobody receives a link that does not work."""
    transaction.on_commit(lambda: _send_invitation(invitation, token))


def invitation_language(invitation: Invitation) -> str:
    """The language the invitation email is written in: the one the recipient chose on their
    account, else the inviter's (colleagues mostly share one), else the site's default."""
    recipient = User.objects.filter(email__iexact=invitation.email).only("language").first()
    for person in (recipient, invitation.invited_by):
        if person is not None and person.language:
            return person.language
    return str(settings.LANGUAGE_CODE)


def _send_invitation(invitation: Invitation, token: str) -> None:
    context = {
        "invitation": invitation,
        "inviter": _email_of(invitation.invited_by),
        "accept_url": settings.SITE_URL + reverse("invitation_accept", args=[token]),
        "site_name": settings.SITE_NAME,
    }
    with translation.override(invitation_language(invitation)):
        subject = render_to_string("core/email/invitation_subject.txt", context).strip()
        body = render_to_string("core/email/invitation.txt", context)
    try:
        send_mail(subject, body, None, [invitation.email])
    except OSError:
        # The invitation stands: the admin sees it pending and can resend it.
        logger.warning("could not email invitation %s", invitation.pk, exc_info=True)


@transaction.atomic
def change_role(
    *, actor: Membership, membership: Membership, role: Role, request: HttpRequest | None = None
) -> Membership:
    actor = _fresh(actor)
    _require(actor, Role.ADMIN)
    _guard_owner_change(actor, membership)
    if role == Role.OWNER and actor.role != Role.OWNER:
        raise PermissionDenied(gettext("Only an owner can make someone an owner."))
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
