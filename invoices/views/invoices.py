"""Invoice pages: list, detail, create and edit with a line formset, and one view per action."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import CharField, F, QuerySet, Value
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.generic import DetailView

from core.formatting import format_money
from core.http import OrganizationRequest
from core.links import link
from core.memory import rendered
from core.models import AuditEvent, Role
from core.pagination import paginate
from core.permissions import ObjectActionView, OrganizationMixin, acting_user, organization_required
from integrations.yuki.booking import booking_state
from invoices import services
from invoices.epc import credit_transfer
from invoices.forms import (
    CancelInvoiceForm,
    CreditNoteForm,
    InvoiceFilterForm,
    InvoiceForm,
    PaymentForm,
    filtered_invoices,
    invoice_filters,
    line_formset,
)
from invoices.models import Client, CreditNote, Invoice, InvoiceSource, InvoiceStatus, Payment
from invoices.models.profile import offered_rates
from invoices.services.catalogue import catalogue_for_editor
from invoices.services.common import Line
from invoices.services.invoicing import credit_invoice_lines, creditable_lines

# The list's rows as plain values (no model instances to build). The page's body (filters, rows,
# page links) is rendered once per process for each combination of what it shows (core.memory):
# any change to a row shown is a new key, never a stale row, and a repeat view of an unchanged
# page costs its query and one read of memory instead of rendering fifty rows and a form.
LIST_COLUMNS = (
    "id",
    "number",
    "client_id",
    "client__name",  # as is: a shorter name would be an annotation, a tenth of the query's cost
    "issue_date",
    "due_date",
    "status",
    "currency",
    "total",
    "balance_due",
)


def list_rows(invoices: QuerySet[Invoice]) -> QuerySet[Invoice, dict[str, Any]]:
    rows: QuerySet[Invoice, dict[str, Any]] = invoices.values(*LIST_COLUMNS)
    return rows


@organization_required()
def invoice_list(request: OrganizationRequest) -> HttpResponse:
    filters = invoice_filters(request.GET)
    page, query = paginate(request, list_rows(filtered_invoices(request.organization, filters)))
    client = None
    if filters and filters["client"]:
        client = Client.objects.for_organization(request.organization).filter(pk=filters["client"]).first()

    def context() -> dict[str, Any]:
        for row in page:
            row["status_label"] = InvoiceStatus(row["status"]).label
        # Rows link to invoices/<pk>/ and clients/<pk>/ from one reverse() each.
        return {
            "form": InvoiceFilterForm(request.GET),
            "page": page,
            "query": query,
            "client": client,
            "membership": request.membership,
            "invoice_base": link("invoices:invoice_list"),
            "client_base": link("invoices:client_list"),
        }

    shown = (
        request.membership.role,
        request.GET.urlencode(),  # the filters as asked, and the page
        (client.pk, client.name) if client else None,
        page.has_next,
        [tuple(row.values()) for row in page],  # as exact as dicts, and a third cheaper to write out
    )
    body = rendered("invoices/_invoice_list_body.html", shown, context)
    return render(request, "invoices/invoice_list.html", {"body": body})


def movements_of(invoice: Invoice) -> QuerySet[Any]:
    """Payments and credit notes of the invoice as one dated list, in a single query."""
    text: CharField[str, str] = CharField(max_length=16)
    payments = (
        Payment.objects.filter(invoice=invoice)
        .order_by()
        .values("id", kind=Value("payment", output_field=text), when=F("date"), label=F("reference"), value=F("amount"))
    )
    credits = (
        CreditNote.objects.filter(invoice=invoice)
        .order_by()
        .values(
            "id",
            kind=Value("credit_note", output_field=text),
            when=F("issue_date"),
            label=F("number"),
            value=F("total"),
        )
    )
    return payments.union(credits, all=True).order_by("when", "id")


class InvoiceDetailView(OrganizationMixin, DetailView[Invoice]):
    model = Invoice
    template_name = "invoices/invoice_detail.html"
    context_object_name = "invoice"

    def get_queryset(self) -> QuerySet[Invoice]:
        # The logo's bytes are for PDFs only: a page has no use for them.
        related = super().get_queryset().select_related("client", "organization__billing_profile")
        return related.defer("organization__billing_profile__logo")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        invoice = self.object
        context["items"] = list(invoice.items.all())
        context["transfer"] = credit_transfer(invoice, getattr(invoice.organization, "billing_profile", None))
        context["movements"] = list(movements_of(invoice))
        context["history"] = list(
            AuditEvent.objects.filter(
                organization=invoice.organization_id, target_type="invoices.invoice", target_id=str(invoice.pk)
            )[:20]
        )
        context["payment_form"] = PaymentForm(
            initial={"amount": invoice.balance_due, "date": timezone.localdate(), "currency": invoice.currency}
        )
        context["can_write"] = self.membership.has_role(Role.FINANCE)
        context["transmissions"] = list(invoice.transmissions.select_related("credit_note")[:10])
        context["peppol_receiver"] = invoice.client.business_ids.participant_id
        if invoice.source == InvoiceSource.MANUAL:
            context["yuki_booking"] = booking_state(invoice, context["items"])
        return context


def line_initial(lines: Sequence[Line]) -> list[dict[str, Any]]:
    return [
        {
            "description": line.description,
            "quantity": line.quantity,
            "unit_price": line.unit_price,
            "vat_rate": line.vat_rate,
            "vat_category": line.vat_category,
            "vat_exemption_reason": line.vat_exemption_reason,
        }
        for line in lines
    ]


def _invoice_form_page(request: OrganizationRequest, invoice: Invoice | None) -> HttpResponse:
    organization = request.organization
    current = [Line.of(item) for item in invoice.items.all()] if invoice is not None else []
    rates = offered_rates(organization, (line.vat_rate for line in current))
    if request.method == "POST":
        form = InvoiceForm(request.POST, organization=organization)
        formset = line_formset(request.POST, rates=rates)
    elif invoice is not None:
        form = InvoiceForm(
            organization=organization,
            initial={
                "client": invoice.client_id,
                "issue_date": invoice.issue_date,
                "due_date": invoice.due_date,
                "currency": invoice.currency,
                "payment_reference": invoice.payment_reference,
                "notes": invoice.notes,
            },
        )
        formset = line_formset(None, rates=rates, initial=line_initial(current))
    else:
        form = InvoiceForm(
            organization=organization, initial={"issue_date": timezone.localdate(), "client": request.GET.get("client")}
        )
        formset = line_formset(None, rates=rates)
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        data = form.cleaned_data
        fields = {
            "client": data["client"],
            "lines": formset.lines(),
            "issue_date": data["issue_date"],
            "due_date": data["due_date"],
            "currency": data["currency"],
            "notes": data["notes"],
            "payment_reference": data["payment_reference"],
            "actor": acting_user(request),
            "request": request,
        }
        try:
            if invoice is None:
                saved = services.create_invoice(organization=organization, **fields)
            else:
                saved = services.update_invoice(invoice, **fields)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, gettext("%(number)s is saved.") % {"number": saved.number})
            return redirect(saved)
    context = {
        "form": form,
        "formset": formset,
        "invoice": invoice,
        "products": catalogue_for_editor(organization),
        "currency": form["currency"].value() or "EUR",
    }
    return render(request, "invoices/invoice_form.html", context)


@organization_required()
def invoice_create(request: OrganizationRequest) -> HttpResponse:
    return _invoice_form_page(request, None)


class InvoiceEditView(OrganizationMixin, DetailView[Invoice]):
    model = Invoice

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        invoice = self.get_object()
        if invoice.status != InvoiceStatus.DRAFT:
            messages.error(
                request, gettext("Only a draft can be edited. Issue a credit note to correct a sent invoice.")
            )
            return redirect(invoice)
        return _invoice_form_page(self.organization_request, invoice)

    post = get


class InvoiceAction(ObjectActionView):
    model = Invoice


class CancelInvoiceView(InvoiceAction):
    def act(self, request: OrganizationRequest, invoice: Invoice) -> str | None:
        form = CancelInvoiceForm(request.POST)
        if not form.is_valid():
            raise ValidationError(list(form.errors["reason"]))
        services.cancel_invoice(
            invoice, reason=form.cleaned_data["reason"], actor=acting_user(request), request=request
        )
        messages.success(request, gettext("%(number)s is cancelled.") % {"number": invoice.number})
        return None


class DuplicateInvoiceView(InvoiceAction):
    def act(self, request: OrganizationRequest, invoice: Invoice) -> str | None:
        copy = services.duplicate_invoice(invoice, actor=acting_user(request), request=request)
        messages.success(
            request,
            gettext("%(copy)s is a new draft copied from %(number)s.")
            % {"copy": copy.number, "number": invoice.number},
        )
        return copy.get_absolute_url()


class DeleteInvoiceView(InvoiceAction):
    write_role = Role.ADMIN

    def act(self, request: OrganizationRequest, invoice: Invoice) -> str | None:
        services.soft_delete(invoice, actor=acting_user(request), request=request)
        messages.success(
            request,
            gettext("%(number)s is deleted. An admin can restore it from Deleted items.") % {"number": invoice.number},
        )
        return reverse("invoices:invoice_list")


class RecordPaymentView(InvoiceAction):
    def act(self, request: OrganizationRequest, invoice: Invoice) -> str | None:
        form = PaymentForm(request.POST)
        if not form.is_valid():
            raise ValidationError(
                [f"{form.fields[f].label or f}: {' '.join(map(str, e))}" for f, e in form.errors.items()]
            )
        data = form.cleaned_data
        # The form's fields are record_payment's keyword arguments.
        services.record_payment(
            organization=request.organization,
            client=invoice.client,
            invoice=invoice,
            actor=acting_user(request),
            request=request,
            **data,
        )
        messages.success(
            request,
            gettext("Payment of %(amount)s recorded on %(number)s.")
            % {"amount": format_money(data["amount"], data["currency"]), "number": invoice.number},
        )
        return None


class CreditNoteCreateView(OrganizationMixin, DetailView[Invoice]):
    """A credit note starts from the invoice's lines not credited yet: the user lowers quantities
    or removes lines; more than is left of a line is refused (services.credit_invoice_lines)."""

    model = Invoice

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        invoice = self.get_object()
        remaining = creditable_lines(invoice)
        rates = offered_rates(invoice.organization, (item.vat_rate for item in invoice.items.all()))
        form = CreditNoteForm(request.POST or None, initial={"issue_date": timezone.localdate()})
        formset = line_formset(request.POST or None, rates=rates, initial=line_initial(remaining))
        if request.method == "POST" and form.is_valid() and formset.is_valid():
            try:
                note = credit_invoice_lines(
                    invoice,
                    lines=formset.lines(),
                    issue_date=form.cleaned_data["issue_date"],
                    reason=form.cleaned_data["reason"],
                    actor=acting_user(request),
                    request=request,
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(
                    request,
                    gettext("%(credit_note)s credits %(amount)s on %(number)s.")
                    % {
                        "credit_note": note.number,
                        "amount": format_money(note.total, note.currency),
                        "number": invoice.number,
                    },
                )
                return redirect(invoice)
        context = {
            "form": form,
            "formset": formset,
            "invoice": invoice,
            "nothing_left": not remaining,
            "currency": invoice.currency,
        }
        return render(request, "invoices/credit_note_form.html", context)

    post = get
