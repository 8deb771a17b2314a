"""The public link to an invoice: who holds it may see the invoice and pay it, nothing more.

The token is the invoice's id signed with the service's SECRET_KEY under a salt of its own
(django.core.signing), so it cannot be guessed or forged, and a token made for one purpose
(a password reset, a session) is never accepted here. It does not expire: the link is printed
on a PDF and sent by email, and must work for as long as the invoice can be paid. It reveals
nothing an attacker could use: a deleted invoice answers 404, and rotating SECRET_KEY (keeping
the old one in SECRET_KEY_FALLBACKS until the links sent with it are no longer needed) revokes
every link at once.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.http import Http404
from django.urls import reverse

from invoices.models import Invoice
from payments.accounts import online_payment_available

SALT = "payments.public-invoice"


def invoice_token(invoice: Invoice) -> str:
    return signing.Signer(salt=SALT).sign_object([invoice.pk, invoice.organization_id])


def public_invoice_path(invoice: Invoice) -> str:
    return reverse("payments:public_invoice", args=[invoice_token(invoice)])


def public_invoice_url(invoice: Invoice) -> str:
    """The absolute link for emails, PDFs and messages (SITE_URL-based: no request needed)."""
    return f"{settings.SITE_URL}{public_invoice_path(invoice)}"


def pay_online_url(invoice: Invoice) -> str:
    """The public link when the invoice can be paid online (emails and the PDF say "Pay online"),
    else ''."""
    return public_invoice_url(invoice) if online_payment_available(invoice) else ""


def invoice_for_token(token: str) -> Invoice:
    """The issued, active invoice a token names; Http404 for anything else."""
    try:
        pk, organization_id = signing.Signer(salt=SALT).unsign_object(token)
    except (signing.BadSignature, ValueError, TypeError) as exc:
        raise Http404 from exc
    if not isinstance(pk, int) or not isinstance(organization_id, int):
        raise Http404
    invoice = (
        Invoice.objects.issued()
        .select_related("organization", "client")
        .filter(pk=pk, organization_id=organization_id)
        .first()
    )
    if invoice is None:
        raise Http404
    return invoice
