"""Outgoing billing email: the invoice itself (with its PDF) and payment reminders.

Both are rendered from templates/invoices/email/ as plain text and HTML, in the client's language
(Client.language), money and dates as that language writes them. The invoice email is composed
once (`invoice_email`) for the send page's preview and for sending, so the preview is the email.
Mail server errors (OSError, which includes smtplib.SMTPException) are not caught here: the
caller decides what a failed delivery means (send_invoice audits it, the reminder run retries
the stage next time).
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext, ngettext

from core.formatting import format_date, format_money
from core.models import Organization
from core.validators import format_iban
from invoices.models import BillingProfile, Invoice
from payments.links import pay_online_url

_WHITESPACE = re.compile(r"\s+")


def _one_line(text: str) -> str:
    """Header-safe text: a name with a line break must not break (or inject into) the subject."""
    return _WHITESPACE.sub(" ", text).strip()


def billing_profile(organization: Organization) -> BillingProfile | None:
    try:
        profile: BillingProfile = organization.billing_profile
    except BillingProfile.DoesNotExist:
        return None
    return profile


def _context(invoice: Invoice, profile: BillingProfile | None) -> dict[str, Any]:
    """What both emails show, formatted in the active language (the client's)."""
    organization = invoice.organization
    return {
        "invoice": invoice,
        "client": invoice.client,
        "sender_name": _one_line(profile.display_name if profile else organization.name),
        "sender_email": profile.email if profile else "",
        "sender_address_lines": profile.address_lines if profile else [],
        "sender_vat_number": profile.vat_number if profile else "",
        "iban": format_iban(profile.iban) if profile and profile.iban else "",
        "bic": profile.bic if profile else "",
        "total": format_money(invoice.total, invoice.currency),
        "amount_due": format_money(invoice.balance_due, invoice.currency),
        "issue_date": format_date(invoice.issue_date),
        "due_date": format_date(invoice.due_date),
        "reference": invoice.formatted_reference,
        "site_name": settings.SITE_NAME,
        "pay_online_url": pay_online_url(invoice),
    }


@dataclass(frozen=True)
class ComposedEmail:
    """An email as the client receives it: what the send page previews and what is sent."""

    to: list[str]
    reply_to: list[str]
    subject: str
    text: str
    html: str
    attachment_names: list[str]
    language: str

    def message(self) -> EmailMultiAlternatives:
        message = EmailMultiAlternatives(
            subject=self.subject, body=self.text, to=self.to, reply_to=self.reply_to or None
        )
        message.attach_alternative(self.html, "text/html")
        return message


def _compose(
    invoice: Invoice,
    profile: BillingProfile | None,
    subject: str,
    template: str,
    context: dict[str, Any],
    attachment_names: list[str],
) -> ComposedEmail:
    return ComposedEmail(
        to=[invoice.client.email] if invoice.client.email else [],
        reply_to=[profile.email] if profile and profile.email else [],
        subject=_one_line(subject),
        text=render_to_string(f"invoices/email/{template}.txt", context),
        html=render_to_string(f"invoices/email/{template}.html", context),
        attachment_names=attachment_names,
        language=translation.get_language() or "en",
    )


def invoice_attachment_name(invoice: Invoice) -> str:
    return f"{invoice.number}.pdf"


def invoice_email(invoice: Invoice) -> ComposedEmail:
    """The invoice email in the client's language, without the PDF (`send_invoice_email` adds it)."""
    with translation.override(invoice.client.language):
        profile = billing_profile(invoice.organization)
        context = _context(invoice, profile)
        subject = gettext("Invoice %(number)s from %(sender)s") % {
            "number": invoice.number,
            "sender": context["sender_name"],
        }
        return _compose(invoice, profile, subject, "invoice", context, [invoice_attachment_name(invoice)])


def send_invoice_email(invoice: Invoice) -> None:
    """Email the invoice to its client, the PDF attached. Raises OSError when the mail server refuses."""
    from invoices.pdf import invoice_pdf  # reportlab is only loaded when an invoice is mailed

    message = invoice_email(invoice).message()
    message.attach(invoice_attachment_name(invoice), invoice_pdf(invoice), "application/pdf")
    message.send()


def reminder_subject(invoice: Invoice, days_after_due: int) -> str:
    """The reminder's subject in the active language."""
    if days_after_due < 0:
        return gettext("Reminder: invoice %(number)s is due on %(date)s") % {
            "number": invoice.number,
            "date": format_date(invoice.due_date),
        }
    if days_after_due == 0:
        return gettext("Reminder: invoice %(number)s is due today") % {"number": invoice.number}
    return ngettext(
        "Overdue: invoice %(number)s is %(days)s day overdue",
        "Overdue: invoice %(number)s is %(days)s days overdue",
        days_after_due,
    ) % {"number": invoice.number, "days": days_after_due}


def send_reminder_email(invoice: Invoice, offset_days: int, *, today: datetime.date | None = None) -> None:
    """Remind the client of an unpaid invoice at the reminder stage `offset_days` (days from the
    due date: -3 is three days before), in the client's language. The wording follows the stage;
    given `today`, it follows the actual date, so a reminder sent late never says "due today"
    about a past date. Raises OSError when the mail server refuses."""
    with translation.override(invoice.client.language):
        profile = billing_profile(invoice.organization)
        on = today or invoice.due_date + datetime.timedelta(days=offset_days)
        days_after_due = (on - invoice.due_date).days
        context = {
            **_context(invoice, profile),
            "offset_days": offset_days,
            "days_before_due": max(-days_after_due, 0),
            "days_overdue": max(days_after_due, 0),
            "is_before_due": days_after_due < 0,
            "is_due_today": days_after_due == 0,
            "is_overdue": days_after_due > 0,
        }
        email = _compose(invoice, profile, reminder_subject(invoice, days_after_due), "reminder", context, [])
    email.message().send()
