"""The product catalogue: list (active or archived), create, edit, archive and restore."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.generic import DetailView

from core.http import OrganizationRequest
from core.models import Role
from core.permissions import ObjectActionView, OrganizationMixin, acting_user, organization_required
from invoices.forms import ProductForm
from invoices.models import Product
from invoices.models.profile import offered_rates
from invoices.services.catalogue import save_product, set_product_active


@organization_required()
def product_list(request: OrganizationRequest) -> HttpResponse:
    archived = request.GET.get("archived") == "1"
    products = Product.objects.for_organization(request.organization).filter(is_active=not archived)
    context = {
        "products": products,
        "archived": archived,
        "can_write": request.membership.has_role(Role.FINANCE),
    }
    return render(request, "invoices/catalogue.html", context)


def _product_form_page(request: OrganizationRequest, product: Product | None) -> HttpResponse:
    rates = offered_rates(request.organization, [product.vat_rate] if product else [])
    form = ProductForm(request.POST or None, instance=product, rates=rates)
    if request.method == "POST" and form.is_valid():
        saved = save_product(
            form.save(commit=False), organization=request.organization, actor=acting_user(request), request=request
        )
        messages.success(request, gettext("%(name)s is saved in the catalogue.") % {"name": saved.name})
        return redirect("invoices:product_list")
    return render(request, "invoices/product_form.html", {"form": form, "product": product})


@organization_required(write_role=Role.FINANCE)
def product_create(request: OrganizationRequest) -> HttpResponse:
    return _product_form_page(request, None)


class ProductEditView(OrganizationMixin, DetailView[Product]):
    model = Product

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return _product_form_page(self.organization_request, self.get_object())

    post = get


class ProductArchiveView(ObjectActionView):
    """Archive a product (`active` False) or bring it back (True)."""

    model = Product
    active = False

    def act(self, request: OrganizationRequest, product: Product) -> str | None:
        set_product_active(product, self.active, actor=acting_user(request), request=request)
        if self.active:
            messages.success(request, gettext("%(name)s is offered again.") % {"name": product.name})
        else:
            messages.success(
                request,
                gettext("%(name)s is archived: no longer offered, still on the invoices that used it.")
                % {"name": product.name},
            )
        return reverse("invoices:product_list")
