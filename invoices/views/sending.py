"""Sending an invoice: over Peppol when the client can receive it there, else by the client's
channel (email, or WhatsApp when the client prefers it); the page shows which and why, and the user
may choose another."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext

from core.http import OrganizationRequest
from core.permissions import ObjectActionView, acting_user
from invoices import services
from invoices.einvoicing import sending
from invoices.models import CreditNote, Invoice
from invoices.models.clients import Channel
from invoices.models.profile import DOCUMENT_LANGUAGES
from invoices.notifications import invoice_email
from invoices.views.invoices import InvoiceAction
from messaging.services import send_invoice_whatsapp, whatsapp_choice


class SendInvoiceView(InvoiceAction):
    http_method_names = ["get", "post"]

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        invoice = self.get_object()
        email = invoice_email(invoice)
        context = {
            "invoice": invoice,
            "choice": sending.channel_for(invoice),
            "transmissions": invoice.transmissions.select_related("credit_note")[:10],
            # The email exactly as the client receives it, in the client's language.
            "email": email,
            "email_language": dict(DOCUMENT_LANGUAGES).get(email.language, email.language),
            "whatsapp": whatsapp_choice(invoice),
        }
        return render(request, "invoices/invoice_send.html", context)

    def act(self, request: OrganizationRequest, invoice: Invoice) -> str | None:
        if request.POST.get("channel") == sending.PEPPOL:
            transmission = sending.send_over_peppol(invoice, actor=acting_user(request), request=request)
            messages.success(
                request,
                gettext("%(number)s is marked as sent and on its way over Peppol to %(receiver)s.")
                % {"number": invoice.number, "receiver": transmission.receiver},
            )
            return None
        if request.POST.get("channel") == Channel.WHATSAPP:
            message = send_invoice_whatsapp(invoice, actor=acting_user(request), request=request)
            messages.success(
                request,
                gettext("%(number)s is marked as sent; its WhatsApp message to %(to)s is on its way.")
                % {"number": invoice.number, "to": message.to},
            )
            return None
        try:
            sent = services.send_invoice(invoice, actor=acting_user(request), request=request)
        except services.EmailDeliveryError as exc:
            messages.warning(request, str(exc))
            return None
        if sent.client.email:
            text = gettext("%(number)s is marked as sent and emailed to %(email)s.")
        else:
            text = gettext("%(number)s is marked as sent (the client has no email address).")
        messages.success(request, text % {"number": sent.number, "email": sent.client.email})
        return None


class SendCreditNoteView(ObjectActionView):
    """A credit note goes the way its invoice went: over Peppol for a client that receives there."""

    model = CreditNote

    def act(self, request: OrganizationRequest, credit_note: CreditNote) -> str | None:
        transmission = sending.send_credit_note_over_peppol(credit_note, actor=acting_user(request), request=request)
        messages.success(
            request,
            gettext("%(number)s is on its way over Peppol to %(receiver)s.")
            % {"number": credit_note.number, "receiver": transmission.receiver},
        )
        return None
