"""The organisation's billing details (printed on its documents), its logo, and reminder schedule."""

from __future__ import annotations

import base64

from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from core.audit import record_event
from core.http import OrganizationRequest
from core.models import Role
from core.permissions import acting_user, organization_required
from invoices.forms import BillingProfileForm
from invoices.models import BillingProfile


def _audited(profile: BillingProfile) -> dict[str, object]:
    """The profile's fields for the audit log: the logo as its size, never its bytes."""
    fields: dict[str, object] = {field: getattr(profile, field) for field in BillingProfileForm.Meta.fields}
    return {**fields, "logo_bytes": len(profile.logo_bytes)}


@organization_required(read_role=Role.ADMIN, write_role=Role.ADMIN)
def billing_settings(request: OrganizationRequest) -> HttpResponse:
    organization = request.organization
    profile = BillingProfile.objects.filter(organization=organization).first() or BillingProfile(
        organization=organization, legal_name=organization.name
    )
    before = _audited(profile) if profile.pk else None
    form = BillingProfileForm(request.POST or None, request.FILES or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            saved = form.save()
            record_event(
                "billing_profile.updated",
                request=request,
                actor=acting_user(request),
                organization=organization,
                target=saved,
                before=before,
                after=_audited(saved),
            )
        messages.success(request, gettext("Billing details saved. New documents will show them."))
        return redirect("invoices:billing_settings")
    logo = profile.logo_bytes
    # Shown as a data: URL (the page's CSP allows data: images): no file to serve, nothing on disk.
    logo_src = f"data:{profile.logo_type};base64,{base64.b64encode(logo).decode()}" if logo else ""
    return render(request, "invoices/billing_settings.html", {"form": form, "logo_src": logo_src})


@require_POST
@organization_required(read_role=Role.ADMIN, write_role=Role.ADMIN)
def remove_logo(request: OrganizationRequest) -> HttpResponse:
    with transaction.atomic():
        profile = BillingProfile.objects.select_for_update().filter(organization=request.organization).first()
        if profile is not None and profile.logo:
            size = len(profile.logo_bytes)
            profile.logo, profile.logo_type = None, ""
            profile.save(update_fields=["logo", "logo_type"])
            record_event(
                "billing_profile.logo_removed",
                request=request,
                actor=acting_user(request),
                organization=request.organization,
                target=profile,
                before={"logo_bytes": size},
                after={"logo_bytes": 0},
            )
    messages.success(request, gettext("The logo is removed. New PDFs are printed without it."))
    return redirect("invoices:billing_settings")
