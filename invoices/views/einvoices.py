"""E-invoices: each invoice and credit note as a Peppol BIS 3.0 UBL document (its PDF embedded),
and the invoice's check against the rules an access point applies before sending."""

from __future__ import annotations

from typing import Any

from django.views.generic import DetailView

from core.permissions import OrganizationMixin
from invoices import pdf
from invoices.einvoicing import validation
from invoices.einvoicing.ubl import credit_note_ubl, invoice_ubl
from invoices.models import BillingProfile, CreditNote, Invoice
from invoices.vat import VatCategory
from invoices.views.pdfs import DocumentPdfView


def _invoice_document(invoice: Invoice) -> bytes:
    return invoice_ubl(invoice, pdf=pdf.invoice_pdf(invoice))


def _credit_note_document(credit_note: CreditNote) -> bytes:
    return credit_note_ubl(credit_note, pdf=pdf.credit_note_pdf(credit_note))


class UblDownloadView(DocumentPdfView):
    content_type = "application/xml"
    extension = "xml"


class InvoiceUblView(UblDownloadView):
    model = Invoice
    render = staticmethod(_invoice_document)


class CreditNoteUblView(UblDownloadView):
    model = CreditNote
    render = staticmethod(_credit_note_document)


class InvoiceEInvoiceView(OrganizationMixin, DetailView[Invoice]):
    """What the invoice's e-invoice holds and whether it passes the rules, each problem in words
    with its rule id (the PDF is left out of the check: it changes no rule's outcome)."""

    model = Invoice
    context_object_name = "invoice"
    template_name = "invoices/invoice_einvoice.html"

    def get_queryset(self) -> Any:
        return super().get_queryset().select_related("client", "organization")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        invoice = self.object
        profile = BillingProfile.objects.filter(organization_id=invoice.organization_id).first()
        context["result"] = validation.validate(invoice_ubl(invoice))
        context["sender"] = profile.business_ids.participant_id if profile else None
        context["receiver"] = invoice.client.business_ids.participant_id
        context["transmissions"] = list(invoice.transmissions.select_related("credit_note")[:10])
        context["vat_groups"] = [
            (group, VatCategory(group.category).label) for group in invoice.vat_groups(invoice.items.all())
        ]
        return context
