"""Payment pages: the list, general payments on a client's account, receipts."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext

from core.formatting import format_money
from core.http import OrganizationRequest
from core.models import Role
from core.pagination import paginate
from core.permissions import ObjectActionView, acting_user, organization_required
from invoices import services
from invoices.forms import GeneralPaymentForm
from invoices.models import CreditNote, Payment


@organization_required()
def payment_list(request: OrganizationRequest) -> HttpResponse:
    payments = Payment.objects.for_organization(request.organization).select_related("client", "invoice")
    client_filter = forms.IntegerField(min_value=1, max_value=2**31 - 1, required=False)
    try:
        client_id = client_filter.clean(request.GET.get("client") or None)
    except ValidationError:
        client_id = None
    if client_id:
        payments = payments.filter(client_id=client_id)
    page, query = paginate(request, payments.order_by("-date", "-id"))
    return render(request, "invoices/payment_list.html", {"page": page, "query": query})


@organization_required()
def general_payment_create(request: OrganizationRequest) -> HttpResponse:
    organization = request.organization
    form = GeneralPaymentForm(
        request.POST or None,
        organization=organization,
        initial={"date": timezone.localdate(), "client": request.GET.get("client")},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            # The form's fields (client included) are record_payment's keyword arguments.
            payment = services.record_payment(
                organization=organization, actor=acting_user(request), request=request, **data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            amount = format_money(payment.amount, payment.currency)
            messages.success(request, gettext("General payment of %(amount)s recorded.") % {"amount": amount})
            return redirect(payment)
    return render(request, "invoices/payment_form.html", {"form": form})


class DeletePaymentView(ObjectActionView):
    model = Payment
    write_role = Role.ADMIN

    def act(self, request: OrganizationRequest, payment: Payment) -> str | None:
        services.soft_delete(payment, actor=acting_user(request), request=request)
        messages.success(request, gettext("The payment is deleted; the balance due is updated."))
        return None


class DeleteCreditNoteView(ObjectActionView):
    model = CreditNote
    write_role = Role.ADMIN

    def act(self, request: OrganizationRequest, note: CreditNote) -> str | None:
        services.soft_delete(note, actor=acting_user(request), request=request)
        messages.success(
            request, gettext("%(number)s is deleted; the balance due is updated.") % {"number": note.number}
        )
        return None


@organization_required()
def credit_note_list(request: OrganizationRequest) -> HttpResponse:
    notes = CreditNote.objects.for_organization(request.organization).select_related("client", "invoice")
    page, query = paginate(request, notes.order_by("-issue_date", "-id"))
    return render(request, "invoices/credit_note_list.html", {"page": page, "query": query})
