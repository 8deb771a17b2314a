"""Documents received over Peppol: the purchase invoices and credit notes suppliers sent, what we
read and checked in each, the bill it became, and the original XML and PDF."""

from __future__ import annotations

import io
from typing import Any

from django.db.models import BooleanField, Case, QuerySet, When
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.text import slugify
from django.views import View
from django.views.generic import DetailView
from django.views.generic.detail import SingleObjectMixin

from banking.models import ReceivedDocument
from core.http import OrganizationRequest
from core.pagination import paginate
from core.permissions import OrganizationMixin, organization_required


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
