"""Deleted items: soft-deleted billing documents, restorable by an admin."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext

from core.http import OrganizationRequest
from core.models import Role
from core.permissions import ObjectActionView, acting_user, organization_required
from invoices import services
from invoices.models import Challan, CreditNote, Invoice, Payment

TRASH_LIMIT = 100


@organization_required(read_role=Role.ADMIN, write_role=Role.ADMIN)
def deleted_items(request: OrganizationRequest) -> HttpResponse:
    organization = request.organization

    def deleted(model: Any) -> list[Any]:
        rows = model.all_objects.for_organization(organization).deleted().select_related("client")
        return list(rows.order_by("-updated_at")[:TRASH_LIMIT])

    return render(
        request,
        "invoices/deleted_items.html",
        {
            "invoices": deleted(Invoice),
            "payments": deleted(Payment),
            "credit_notes": deleted(CreditNote),
            "challans": deleted(Challan),
        },
    )


class RestoreView(ObjectActionView):
    read_role = Role.ADMIN
    write_role = Role.ADMIN

    def get_queryset(self) -> QuerySet[Any]:
        return self.model.all_objects.for_organization(self.organization).deleted()  # type: ignore[no-any-return]

    def act(self, request: OrganizationRequest, document: Any) -> str | None:
        restored = services.restore(document, actor=acting_user(request), request=request)
        messages.success(request, gettext("%(document)s is restored.") % {"document": restored.summary})
        return None

    def get_success_url(self, obj: Any) -> str:
        return reverse("invoices:deleted_items")


class RestoreInvoiceView(RestoreView):
    model = Invoice


class RestorePaymentView(RestoreView):
    model = Payment


class RestoreCreditNoteView(RestoreView):
    model = CreditNote


class RestoreChallanView(RestoreView):
    model = Challan
