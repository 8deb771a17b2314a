"""Pages for the organisation: home, switching, members and invitations, and the audit log."""

from __future__ import annotations

import datetime
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST
from django.views.generic import DetailView

from core import services, tenancy
from core.forms import AuditFilterForm, InviteMemberForm, OrganizationForm, RoleForm
from core.http import OrganizationRequest
from core.models import AuditEvent, Invitation, Membership, Role
from core.models.invitations import hash_token
from core.pagination import paginate
from core.permissions import ObjectActionView, OrganizationMixin, acting_user, organization_required
from core.ratelimit import rate_limit

AUDIT_PAGE_SIZE = 50


@organization_required()
def home(request: OrganizationRequest) -> HttpResponse:
    """The overview of the organisation's cash (dashboards), so a member lands on the figures;
    the audit log has its own page."""
    from dashboards.views.pages import overview

    return cast(HttpResponse, overview(request))  # a TemplateResponse


@login_required
def organization_create(request: HttpRequest) -> HttpResponse:
    form = OrganizationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        organization = services.create_organization(
            form.cleaned_data["name"], owner=acting_user(request), request=request
        )
        tenancy.switch_organization(request, organization.pk)
        messages.success(
            request, gettext("%(organization)s is ready. You are its owner.") % {"organization": organization.name}
        )
        return redirect("home")
    return render(request, "core/organization_form.html", {"form": form})


@require_POST
@login_required
@rate_limit("switch_organization")
def organization_switch(request: HttpRequest) -> HttpResponse:
    try:
        organization_id = int(request.POST.get("organization", ""))
    except ValueError as exc:
        raise Http404(gettext("No such organisation.")) from exc
    membership = tenancy.switch_organization(request, organization_id)
    if membership is None:
        raise Http404(gettext("No such organisation."))
    messages.info(request, gettext("Now working in %(organization)s.") % {"organization": membership.organization.name})
    return redirect("home")


@organization_required(read_role=Role.VIEWER, write_role=Role.ADMIN)
@rate_limit("membership")
def organization_members(request: OrganizationRequest) -> HttpResponse:
    actor = request.membership
    form = InviteMemberForm(request.POST or None, actor=actor)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.invite_member(
                actor=actor, email=form.cleaned_data["email"], role=Role(form.cleaned_data["role"]), request=request
            )
        except ValidationError as exc:
            form.add_error("email", exc)
        else:
            # The same words whether or not the address has an account.
            messages.success(
                request,
                gettext("Invitation sent to %(email)s. They join once they accept it.") % {"email": invitation.email},
            )
            return redirect("organization_members")
    can_manage = actor.has_role(Role.ADMIN)
    members = Membership.objects.filter(organization=actor.organization).select_related("user").order_by("user__email")
    invitations = (
        Invitation.objects.for_organization(actor.organization).open().select_related("invited_by")
        if can_manage
        else Invitation.objects.none()
    )
    return render(
        request,
        "core/members.html",
        {"members": members, "invitations": invitations, "form": form, "can_manage": can_manage, "roles": Role.choices},
    )


class InvitationActionView(ObjectActionView):
    model = Invitation
    read_role = Role.ADMIN
    write_role = Role.ADMIN

    def get_success_url(self, obj: Invitation) -> str:
        return reverse("organization_members")


class InvitationResendView(InvitationActionView):
    def act(self, request: OrganizationRequest, invitation: Invitation) -> str | None:
        services.resend_invitation(actor=request.membership, invitation=invitation, request=request)
        messages.success(
            request,
            gettext("Invitation sent to %(email)s again; the earlier link no longer works.")
            % {"email": invitation.email},
        )
        return None


class InvitationRevokeView(InvitationActionView):
    def act(self, request: OrganizationRequest, invitation: Invitation) -> str | None:
        services.revoke_invitation(actor=request.membership, invitation=invitation, request=request)
        messages.success(request, gettext("The invitation of %(email)s was revoked.") % {"email": invitation.email})
        return None


@rate_limit("membership")
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """The emailed link: sign in (or up) as the invited address, then accept to join."""
    invitation = (
        Invitation.objects.select_related("organization", "invited_by").filter(token_hash=hash_token(token)).first()
    )
    if invitation is None or not invitation.is_pending:
        return render(request, "core/invitation_accept.html", {"invalid": True}, status=404)
    context: dict[str, Any] = {"invitation": invitation, "next": request.get_full_path()}
    if not request.user.is_authenticated:
        return render(request, "core/invitation_accept.html", context)
    user = acting_user(request)
    if invitation.email.casefold() != user.email.casefold():
        return render(request, "core/invitation_accept.html", {**context, "wrong_address": True}, status=403)
    if request.method == "POST":
        try:
            membership = services.accept_invitation(token=token, user=user, request=request)
        except ValidationError:  # accepted or revoked since the page was shown
            return render(request, "core/invitation_accept.html", {"invalid": True}, status=404)
        tenancy.switch_organization(request, membership.organization_id)
        messages.success(
            request, gettext("Welcome to %(organization)s.") % {"organization": invitation.organization.name}
        )
        return redirect("home")
    return render(request, "core/invitation_accept.html", context)


class MembershipActionView(ObjectActionView):
    model = Membership
    write_role = Role.ADMIN

    def get_queryset(self) -> QuerySet[Membership]:
        return super().get_queryset().select_related("user")

    def get_success_url(self, obj: Membership) -> str:
        return reverse("organization_members")


class MembershipRoleView(MembershipActionView):
    def act(self, request: OrganizationRequest, membership: Membership) -> str | None:
        form = RoleForm(request.POST)
        if not form.is_valid():
            raise ValidationError(gettext("Choose one of the roles: owner, admin, finance or viewer."))
        role = Role(form.cleaned_data["role"])
        services.change_role(actor=request.membership, membership=membership, role=role, request=request)
        messages.success(
            request,
            gettext("%(email)s is now %(role)s.") % {"email": membership.user.email, "role": role.label.lower()},
        )
        return None


class MembershipRemoveView(MembershipActionView):
    # Anyone may leave; removing someone else is checked by the service.
    write_role = Role.VIEWER

    def act(self, request: OrganizationRequest, membership: Membership) -> str | None:
        services.remove_member(actor=request.membership, membership=membership, request=request)
        messages.success(
            request, gettext("%(email)s was removed from the organisation.") % {"email": membership.user.email}
        )
        return None


def _filtered_events(request: OrganizationRequest, form: AuditFilterForm) -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.visible_to(request.organization)
    if not form.is_valid():
        return events.none()
    data = form.cleaned_data
    if data["action"]:
        events = events.filter(action__startswith=data["action"])
    if data["actor"]:
        events = events.filter(actor_email__iexact=data["actor"])
    tz = timezone.get_current_timezone()
    if data["date_from"]:
        events = events.filter(created_at__gte=datetime.datetime.combine(data["date_from"], datetime.time.min, tz))
    if data["date_to"]:
        events = events.filter(
            created_at__lt=datetime.datetime.combine(
                data["date_to"] + datetime.timedelta(days=1), datetime.time.min, tz
            )
        )
    return events


@organization_required(read_role=Role.ADMIN, write_role=Role.ADMIN)
def audit_log(request: OrganizationRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET)
    page, query = paginate(request, _filtered_events(request, form), AUDIT_PAGE_SIZE)
    return render(request, "core/audit_log.html", {"form": form, "page": page, "query": query})


class AuditEventDetailView(OrganizationMixin, DetailView[AuditEvent]):
    model = AuditEvent
    read_role = Role.ADMIN
    write_role = Role.ADMIN
    template_name = "core/audit_event.html"
    context_object_name = "event"

    def get_queryset(self) -> QuerySet[AuditEvent]:
        return AuditEvent.objects.visible_to(self.organization)
