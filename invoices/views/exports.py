"""CSV exports of invoices (with the list's filters), payments and clients."""

from __future__ import annotations

from django.http import StreamingHttpResponse
from django.utils.translation import gettext

from core.csv import csv_response
from core.http import OrganizationRequest
from core.permissions import organization_required
from invoices.forms import InvoiceFilterForm
from invoices.models import Client, Payment


@organization_required()
def invoices_csv(request: OrganizationRequest) -> StreamingHttpResponse:
    invoices = InvoiceFilterForm(request.GET).invoices(request.organization)
    rows = (
        (
            i.number,
            i.client.name,
            i.issue_date,
            i.due_date,
            i.get_status_display(),
            i.currency,
            i.subtotal,
            i.vat_total,
            i.total,
            i.amount_paid,
            i.amount_credited,
            i.balance_due,
            i.formatted_reference,
        )
        for i in invoices.iterator(chunk_size=2000)
    )
    header = [
        "number",
        "client",
        "issue_date",
        "due_date",
        "status",
        "currency",
        "net",
        "vat",
        "total",
        "paid",
        "credited",
        "balance_due",
        "structured_reference",
    ]
    return csv_response("invoices", header, rows)


@organization_required()
def payments_csv(request: OrganizationRequest) -> StreamingHttpResponse:
    payments = Payment.objects.for_organization(request.organization).select_related("client", "invoice")
    general = gettext("General payment")
    rows = (
        (
            p.date,
            p.client.name,
            p.invoice.number if p.invoice else general,
            p.currency,
            p.amount,
            p.get_method_display(),
            p.reference,
            p.is_overpayment,
        )
        for p in payments.order_by("date", "id").iterator(chunk_size=2000)
    )
    header = ["date", "client", "invoice", "currency", "amount", "method", "reference", "overpayment"]
    return csv_response("payments", header, rows)


@organization_required()
def clients_csv(request: OrganizationRequest) -> StreamingHttpResponse:
    header = [
        "name",
        "email",
        "phone",
        "vat_number",
        "city",
        "country",
        "currency",
        "payment_terms_days",
        "invoice_count",
        "total_invoiced",
        "total_paid",
        "outstanding",
    ]
    clients = Client.objects.for_organization(request.organization).with_figures().order_by("name")
    return csv_response("clients", header, clients.values_list(*header).iterator(chunk_size=2000))
