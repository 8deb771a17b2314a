"""Sending an invoice by email: recipient, subject, PDF, HTML, Reply-To, and a refusing mail server."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core import mail
from django.test import override_settings

from core.formatting import format_money
from core.models import AuditEvent, Organization
from invoices import services
from invoices.models import BillingProfile, Invoice, InvoiceStatus
from invoices.services import EmailDeliveryError
from tests.factories import make_client, make_invoice
from tests.mail import FAILING_BACKEND, html_of, only_message


@pytest.mark.django_db
def test_sending_emails_the_invoice_with_its_pdf(organization: Organization) -> None:
    draft = make_invoice(organization, sent=False)
    assert mail.outbox == []

    invoice = services.send_invoice(draft)

    assert invoice.status == InvoiceStatus.SENT
    message = only_message()
    assert message.to == ["accounts@dupont.example"]
    assert message.subject == f"Invoice {invoice.number} from Acme BV"
    assert message.reply_to == []  # no billing profile, no Reply-To
    [(filename, content, mimetype)] = message.attachments
    assert filename == f"{invoice.number}.pdf"
    assert mimetype == "application/pdf"
    assert isinstance(content, bytes) and content.startswith(b"%PDF")


@pytest.mark.django_db
def test_the_email_gives_amount_due_date_and_reference_in_text_and_html(organization: Organization) -> None:
    BillingProfile.objects.create(organization=organization, iban="BE68 5390 0754 7034", bic="GKCCBEBB")
    invoice = services.send_invoice(make_invoice(organization, sent=False))

    message = only_message()
    html = html_of(message)
    assert html.lstrip().startswith("<!DOCTYPE html>")
    for body in (message.body, html):
        assert format_money(Decimal("121.00")) in body  # the client reads English (its default)
        assert "01/04/2026" in body
        assert invoice.formatted_reference in body
        assert "BE68 5390 0754 7034" in body
        assert invoice.number in body


@pytest.mark.django_db
def test_the_organisation_billing_details_name_the_sender_and_take_replies(organization: Organization) -> None:
    BillingProfile.objects.create(organization=organization, legal_name="Acme Trading BV", email="billing@acme.example")

    invoice = services.send_invoice(make_invoice(organization, sent=False))

    message = only_message()
    assert message.subject == f"Invoice {invoice.number} from Acme Trading BV"
    assert message.reply_to == ["billing@acme.example"]


@pytest.mark.django_db
def test_the_html_escapes_what_users_typed(organization: Organization) -> None:
    client = make_client(organization, name="<script>alert(1)</script> & Co")

    services.send_invoice(make_invoice(organization, client, sent=False, notes="Pay <em>now</em>"))

    html = html_of(only_message())
    assert "<script>" not in html and "<em>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in html
    assert "Pay &lt;em&gt;now&lt;/em&gt;" in html


@pytest.mark.django_db
def test_a_client_without_email_is_marked_sent_without_mail(organization: Organization) -> None:
    draft = make_invoice(organization, make_client(organization, email=""), sent=False)

    assert services.send_invoice(draft).status == InvoiceStatus.SENT
    assert mail.outbox == []


@pytest.mark.django_db
@override_settings(EMAIL_BACKEND=FAILING_BACKEND)
def test_a_refusing_mail_server_leaves_the_invoice_sent_and_is_audited(organization: Organization) -> None:
    draft = make_invoice(organization, sent=False)

    with pytest.raises(EmailDeliveryError, match="marked as sent"):
        services.send_invoice(draft)

    assert Invoice.objects.get(pk=draft.pk).status == InvoiceStatus.SENT
    event = AuditEvent.objects.get(action="invoice.email_failed")
    assert event.organization_id == organization.pk
    assert event.target_id == str(draft.pk)
    assert "421 service not available" in event.after["error"]
    assert mail.outbox == []
