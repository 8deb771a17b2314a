"""The invoice's public page: no sign-in, reached only through its signed link, rate-limited,
in the client's language unless the payer picks another. A provider's fault never reaches the payer as an error page."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from core.ratelimit import rate_limit
from invoices.epc import credit_transfer
from invoices.models import Invoice
from invoices.views.pdfs import inline_invoice_pdf
from payments import services
from payments.accounts import mark_key_refused, online_payment_available
from payments.links import invoice_for_token, invoice_token
from payments.models import OnlinePayment
from payments.providers import ProviderError

logger = logging.getLogger(__name__)


def payer_language(request: HttpRequest, invoice: Invoice) -> str:
    """The language the payer picked in the page's menu (the language cookie), else the client's."""
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    return chosen if chosen in dict(settings.LANGUAGES) else invoice.client.language


def render_public(request: HttpRequest, invoice: Invoice, template: str, context: dict[str, object]) -> HttpResponse:
    """A public page in the payer's language, never cached: it shows a live balance."""
    with translation.override(payer_language(request, invoice)):
        response = render(request, template, {"invoice": invoice, "token": invoice_token(invoice), **context})
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


def _page(request: HttpRequest, invoice: Invoice, error: str = "") -> HttpResponse:
    return render_public(
        request,
        invoice,
        "payments/public_invoice.html",
        {
            "items": list(invoice.items.all()),
            "transfer": credit_transfer(invoice, getattr(invoice.organization, "billing_profile", None)),
            "can_pay_online": online_payment_available(invoice),
            "online_payments": OnlinePayment.objects.filter(invoice=invoice, organization=invoice.organization)[:5],
            "error": error,
        },
    )


@require_GET
@rate_limit("public_invoice", methods=())
def public_invoice(request: HttpRequest, token: str) -> HttpResponse:
    return _page(request, invoice_for_token(token))


@require_GET
@rate_limit("public_invoice", methods=())
def public_invoice_pdf(request: HttpRequest, token: str) -> HttpResponse:
    return inline_invoice_pdf(invoice_for_token(token))


@require_POST
@rate_limit("public_invoice", methods=())
def checkout(request: HttpRequest, token: str) -> HttpResponse:
    """Start (or resume) the payment of the open balance and send the payer to the provider."""
    invoice = invoice_for_token(token)
    with translation.override(payer_language(request, invoice)):  # the reasons it gives, too
        try:
            online = services.start_checkout(invoice)
        except ValidationError as exc:
            return _page(request, invoice, error=" ".join(exc.messages))
        except ProviderError as exc:
            logger.warning("checkout of invoice %s failed at the provider: %s", invoice.pk, exc)
            if exc.is_auth:
                mark_key_refused(invoice.organization_id, str(exc))
            error = gettext("Online payment is not available right now. Please try later.")
            return _page(request, invoice, error=error)
    return redirect(online.checkout_url, permanent=False)


@require_GET
@rate_limit("public_invoice", methods=())
def payment_return(request: HttpRequest, token: str) -> HttpResponse:
    """Where the provider sends the payer back: the payment's state, asked from the provider again
    (its webhook may come before or after this)."""
    invoice = invoice_for_token(token)
    attempts = OnlinePayment.objects.filter(invoice=invoice, organization=invoice.organization)
    reference = request.GET.get("reference", "")[:64]
    online = (attempts.filter(provider_id=reference) if reference else attempts).first()
    if online is None:
        return redirect("payments:public_invoice", token=token)
    try:
        online = services.refresh(online)
    except ProviderError as exc:
        logger.warning("could not refresh online payment %s: %s", online.pk, exc)
    invoice.refresh_from_db()
    return render_public(request, invoice, "payments/public_return.html", {"online": online})
