"""Outgoing billing email: the invoice itself (with its PDF) and payment reminders.

Both are rendered from templates/invoices/email/ as plain text and HTML. Mail server errors
(OSError, which includes smtplib.SMTPException) are not caught here: the caller decides what a
failed delivery means (send_invoice audits it, the reminder run retries the stage next time).
"""

from __future__ import annotations

import datetime
import re
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from core.models import Organization
from core.validators import format_iban
from invoices.models import BillingProfile, Invoice
from core.formatting import format_money

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


def _format_date(value: datetime.date) -> str:
    return f"{value:%d/%m/%Y}"


def _context(invoice: Invoice, profile: BillingProfile | None) -> dict[str, Any]:
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
        "issue_date": _format_date(invoice.issue_date),
        "due_date": _format_date(invoice.due_date),
        "reference": invoice.formatted_reference,
        "site_name": settings.SITE_NAME,
    }


def _message(
    invoice: Invoice, profile: BillingProfile | None, subject: str, template: str, context: dict[str, Any]
) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=_one_line(subject),
        body=render_to_string(f"invoices/email/{template}.txt", context),
        to=[invoice.client.email],
        reply_to=[profile.email] if profile and profile.email else None,
    )
    message.attach_alternative(render_to_string(f"invoices/email/{template}.html", context), "text/html")
    return message


def send_invoice_email(invoice: Invoice) -> None:
    """Email the invoice to its client, the PDF attached. Raises OSError when the mail server refuses."""
    from invoices.pdf import invoice_pdf  # reportlab is only loaded when an invoice is mailed

    profile = billing_profile(invoice.organization)
    context = _context(invoice, profile)
    message = _message(invoice, profile, f"Invoice {invoice.number} from {context['sender_name']}", "invoice", context)
    message.attach(f"{invoice.number}.pdf", invoice_pdf(invoice), "application/pdf")
    message.send()


def reminder_subject(invoice: Invoice, days_after_due: int) -> str:
    if days_after_due < 0:
        return f"Reminder: invoice {invoice.number} is due on {_format_date(invoice.due_date)}"
    if days_after_due == 0:
        return f"Reminder: invoice {invoice.number} is due today"
    return f"Overdue: invoice {invoice.number} is {days_after_due} day{'s' if days_after_due != 1 else ''} overdue"


def send_reminder_email(invoice: Invoice, offset_days: int, *, today: datetime.date | None = None) -> None:
    """Remind the client of an unpaid invoice at the reminder stage `offset_days` (days from the
    due date: -3 is three days before). The wording follows the stage; given `today`, it follows
    the actual date, so a reminder sent late never says "due today" about a past date.
    Raises OSError when the mail server refuses."""
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
    _message(invoice, profile, reminder_subject(invoice, days_after_due), "reminder", context).send()
