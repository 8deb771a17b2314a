"""Documents received over Peppol: the purchase invoices and credit notes suppliers sent, what we
read and checked in each, the bill it became, and the original XML and PDF."""

from __future__ import annotations

import io
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import BooleanField, Case, QuerySet, When
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import DetailView
from django.views.generic.detail import SingleObjectMixin

from banking import bill_payments
from banking.models import ReceivedDocument
from core.http import OrganizationRequest
from core.models import Role
from core.pagination import paginate
from core.permissions import ObjectActionView, OrganizationMixin, acting_user, organization_required
from core.widgets import LocalDateInput


@organization_required()
def received_list(request: OrganizationRequest) -> HttpResponse:
    documents = ReceivedDocument.objects.filter(organization=request.organization).select_related(
        "bill__superseded_by__connection"
    )
    page, query = paginate(request, documents.defer("xml", "pdf").order_by("-received_at", "-id"))
    return render(request, "invoices/received_list.html", {"page": page, "query": query})


class ReceivedDetailView(OrganizationMixin, DetailView[ReceivedDocument]):
    model = ReceivedDocument
    context_object_name = "document"
    template_name = "invoices/received_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["can_write"] = self.membership.has_role(Role.FINANCE)
        context["paid_on_form"] = PaidOnForm(initial={"paid_on": timezone.localdate()})
        return context

    def get_queryset(self) -> QuerySet[ReceivedDocument]:
        has_pdf = Case(When(pdf__isnull=False, then=True), default=False, output_field=BooleanField())
        documents: QuerySet[ReceivedDocument] = super().get_queryset()
        return (
            documents.select_related("bill__superseded_by__connection", "credited_bill", "repeat_of")
            .defer("xml", "pdf", "repeat_of__xml", "repeat_of__pdf")
            .annotate(has_pdf=has_pdf)
        )


class ReceivedFileView(OrganizationMixin, SingleObjectMixin[ReceivedDocument], View):
    """The original XML as it arrived, or the PDF the supplier embedded in it: both downloaded as
    files, never shown inline (they come from outside)."""

    model = ReceivedDocument
    kind = "xml"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> FileResponse:
        document = self.get_object()
        name = slugify(f"{document.supplier_name} {document.number}") or f"document-{document.pk}"
        if self.kind == "xml":
            xml = io.BytesIO(bytes(document.xml))
            return FileResponse(xml, as_attachment=True, content_type="application/xml", filename=f"{name}.xml")
        if document.pdf is None:
            raise Http404("This document came without a PDF.")
        pdf = io.BytesIO(bytes(document.pdf))
        return FileResponse(pdf, as_attachment=True, content_type="application/pdf", filename=f"{name}.pdf")


class MarkReceivedPaidView(ObjectActionView):
    """The bill of a received document, paid where no connected bank account shows it."""

    model = ReceivedDocument

    def act(self, request: OrganizationRequest, document: ReceivedDocument) -> str | None:
        form = PaidOnForm(request.POST)
        if not form.is_valid():
            raise ValidationError([message for messages in form.errors.values() for message in messages])
        if document.bill is None:
            raise ValidationError(gettext("This document has no bill of its own."))
        bill_payments.mark_paid(
            document.bill, on=form.cleaned_data["paid_on"], actor=acting_user(request), request=request
        )
        messages.success(
            request,
            gettext("%(supplier)s %(number)s is marked paid.")
            % {"supplier": document.supplier_name, "number": document.number},
        )
        return None


class PaidOnForm(forms.Form):
    paid_on = forms.DateField(label=_("Paid on"), widget=LocalDateInput())
