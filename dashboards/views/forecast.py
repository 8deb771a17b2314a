"""The forecast's low-cash threshold: set from the dashboard, audited, and the figures follow."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views import View

from core.audit import record_event
from core.formatting import format_money
from core.permissions import OrganizationMixin, acting_user
from dashboards.models import DashboardState
from dashboards.state import bump

DASHBOARD_URL = "/dashboard/"  # the threshold form's pages are under it
LARGEST_THRESHOLD = Decimal("1000000000.00")  # a billion either way is a typo, not a plan


class ThresholdForm(forms.ModelForm[DashboardState]):
    class Meta:
        model = DashboardState
        fields = ["cash_threshold"]

    def clean_cash_threshold(self) -> Decimal:
        value: Decimal = self.cleaned_data["cash_threshold"]
        if abs(value) > LARGEST_THRESHOLD:
            raise forms.ValidationError(
                gettext("Enter a threshold between %(lowest)s and %(highest)s.")
                % {"lowest": format_money(-LARGEST_THRESHOLD), "highest": format_money(LARGEST_THRESHOLD)}
            )
        return value


class ThresholdUpdateView(OrganizationMixin, View):
    """POST: set the organisation's low-cash threshold (finance or higher), then back to the dashboard."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponseRedirect:
        organization = self.organization
        with transaction.atomic():
            state, _ = DashboardState.objects.select_for_update().get_or_create(organization=organization)
            before = state.cash_threshold
            form = ThresholdForm(request.POST, instance=state)
            if not form.is_valid():
                errors = [str(error) for field_errors in form.errors.values() for error in field_errors]
                messages.error(
                    request, gettext("The threshold was not saved: %(errors)s") % {"errors": " ".join(errors)}
                )
                return HttpResponseRedirect(self.back_url())
            state = form.save()
            record_event(
                "dashboard.threshold_changed",
                request=request,
                actor=acting_user(request),
                organization=organization,
                target=state,
                before={"cash_threshold": before},
                after={"cash_threshold": state.cash_threshold},
            )
            bump(organization.pk)
        messages.success(
            request,
            gettext("Low-cash threshold set to %(amount)s.") % {"amount": format_money(state.cash_threshold)},
        )
        return HttpResponseRedirect(self.back_url())

    def back_url(self) -> str:
        """The dashboard page the form was on (with its filters), if `next` is a local URL."""
        target = self.request.POST.get("next", "")
        if target.startswith(DASHBOARD_URL) and url_has_allowed_host_and_scheme(
            target, allowed_hosts={self.request.get_host()}, require_https=self.request.is_secure()
        ):
            return target
        return reverse("dashboards:forecast")
