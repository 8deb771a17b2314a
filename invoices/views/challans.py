"""Delivery note pages: list, create, detail, PDF, and turning one into an invoice."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.generic import DetailView

from core.http import OrganizationRequest
from core.models import Role
from core.pagination import paginate
from core.permissions import ObjectActionView, OrganizationMixin, acting_user, organization_required
from invoices import services
from invoices.forms import ChallanForm, ChallanLineFormSet
from invoices.models import Challan
from invoices.models.profile import offered_rates


@organization_required()
def challan_list(request: OrganizationRequest) -> HttpResponse:
    challans = Challan.objects.for_organization(request.organization).select_related("client", "invoice")
    page, query = paginate(request, challans.order_by("-date", "-id"))
    return render(request, "invoices/challan_list.html", {"page": page, "query": query})


@organization_required()
def challan_create(request: OrganizationRequest) -> HttpResponse:
    organization = request.organization
    form = ChallanForm(request.POST or None, organization=organization, initial={"date": timezone.localdate()})
    # The VAT rates of the organisation's country, as on invoices.
    formset = ChallanLineFormSet(
        request.POST or None, prefix="lines", form_kwargs={"rates": offered_rates(request.organization)}
    )
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        data = form.cleaned_data
        try:
            challan = services.create_challan(
                organization=organization,
                client=data["client"],
                lines=formset.lines(),
                date=data["date"],
                delivery_address=data["delivery_address"],
                notes=data["notes"],
                actor=acting_user(request),
                request=request,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, gettext("%(number)s is saved.") % {"number": challan.number})
            return redirect(challan)
    return render(request, "invoices/challan_form.html", {"form": form, "formset": formset})


class ChallanDetailView(OrganizationMixin, DetailView[Challan]):
    model = Challan
    template_name = "invoices/challan_detail.html"
    context_object_name = "challan"

    def get_queryset(self) -> QuerySet[Challan]:
        return super().get_queryset().select_related("client", "invoice")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "items": list(self.object.items.all())}


class ConvertChallanView(ObjectActionView):
    model = Challan

    def act(self, request: OrganizationRequest, challan: Challan) -> str | None:
        invoice = services.convert_challan_to_invoice(challan, actor=acting_user(request), request=request)
        messages.success(
            request,
            gettext("%(invoice)s is a draft invoice made from %(challan)s.")
            % {"invoice": invoice.number, "challan": challan.number},
        )
        return invoice.get_absolute_url()


class DeleteChallanView(ObjectActionView):
    model = Challan
    write_role = Role.ADMIN

    def act(self, request: OrganizationRequest, challan: Challan) -> str | None:
        services.soft_delete(challan, actor=acting_user(request), request=request)
        messages.success(request, gettext("%(number)s is deleted.") % {"number": challan.number})
        return reverse("invoices:challan_list")
