"""PDF downloads of the organisation's documents."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from django.http import FileResponse, HttpRequest, HttpResponse
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.views import View
from django.views.generic.detail import SingleObjectMixin

from core.permissions import OrganizationMixin
from invoices import pdf
from invoices.models import Challan, CreditNote, Invoice, Payment


class DocumentPdfView(OrganizationMixin, SingleObjectMixin[Any], View):
    """One document of the current organisation as a download: a PDF unless told otherwise."""

    render: Callable[[Any], bytes]
    content_type = "application/pdf"
    extension = "pdf"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> FileResponse:
        document = self.get_object()
        content = type(self).render(document)
        filename = f"{slugify(self.filename(document))}.{self.extension}"
        return FileResponse(io.BytesIO(content), content_type=self.content_type, filename=filename)

    def filename(self, document: Any) -> str:
        return str(document.number)


def inline_invoice_pdf(invoice: Invoice) -> HttpResponse:
    """The invoice's PDF to read in the browser, for the pages a client reaches by a signed link."""
    response = HttpResponse(pdf.invoice_pdf(invoice), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, pdf.invoice_file_name(invoice)) or ""
    return response


class InvoicePdfView(DocumentPdfView):
    model = Invoice
    render = staticmethod(pdf.invoice_pdf)


class CreditNotePdfView(DocumentPdfView):
    model = CreditNote
    render = staticmethod(pdf.credit_note_pdf)


class ChallanPdfView(DocumentPdfView):
    model = Challan
    render = staticmethod(pdf.challan_pdf)


class PaymentReceiptView(DocumentPdfView):
    model = Payment
    render = staticmethod(pdf.payment_receipt_pdf)

    def filename(self, document: Any) -> str:
        return f"receipt-{document.pk}"
