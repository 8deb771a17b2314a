"""The organisation's billing details (printed on its documents) and reminder schedule."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render

from core.audit import record_event
from core.http import OrganizationRequest
from core.models import Role
from core.permissions import acting_user, organization_required
from invoices.forms import BillingProfileForm
from invoices.models import BillingProfile


@organization_required(read_role=Role.ADMIN, write_role=Role.ADMIN)
def billing_settings(request: OrganizationRequest) -> HttpResponse:
    organization = request.organization
    profile = BillingProfile.objects.filter(organization=organization).first() or BillingProfile(
        organization=organization, legal_name=organization.name
    )
    before = {field: getattr(profile, field) for field in BillingProfileForm.Meta.fields} if profile.pk else None
    form = BillingProfileForm(request.POST or None, instance=profile)
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
                after={field: getattr(saved, field) for field in BillingProfileForm.Meta.fields},
            )
        messages.success(request, "Billing details saved. New documents will show them.")
        return redirect("invoices:billing_settings")
    return render(request, "invoices/billing_settings.html", {"form": form})
