"""PDFs and emails are written in the client's language (Client.language): the amounts and dates
as that language writes them, whatever language the user who sends them reads; the send page
previews the email exactly as it goes out."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.core import mail
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from core.formatting import format_date, format_money
from core.models import Organization
from invoices import services
from invoices.models import Client, Invoice
from invoices.models.clients import default_document_language
from invoices.notifications import invoice_email
from invoices.pdf import invoice_pdf
from invoices.services import Line
from invoices.vat import VatCategory
from tests.factories import make_billing_profile, make_client, make_invoice, make_lines
from tests.mail import html_of, only_message

pytestmark = pytest.mark.django_db

# A word of each document that reads differently in each language, once the catalogue has it.
WORDS = {"nl": ("Factuur", "Vervaldatum"), "fr": ("Facture", "Échéance")}


def in_language(language: str, function: object, *args: object) -> str:
    with translation.override(language):
        return str(function(*args))  # type: ignore[operator]


def translated(language: str, msgid: str) -> bool:
    with translation.override(language):
        return translation.gettext(msgid) != msgid


def pdf_text(document: bytes) -> str:
    reader = PdfReader(io.BytesIO(document))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def invoice(organization: Organization, request: pytest.FixtureRequest) -> Invoice:
    make_billing_profile(organization, legal_name="Acme BV")
    client = make_client(organization, language=request.param)
    # 2 518,30 in all: the thousands separator shows.
    return make_invoice(organization, client, lines=make_lines(("1", "2081.24", "21")), sent=False)


@pytest.mark.parametrize("invoice", ["nl", "fr", "en"], indirect=True)
def test_the_pdf_writes_money_and_dates_as_the_clients_language_does(invoice: Invoice):
    language = invoice.client.language

    text = pdf_text(invoice_pdf(invoice))  # rendered while the active language is English

    assert flat(in_language(language, format_money, Decimal("2518.30"), "EUR")) in text
    assert in_language(language, format_date, invoice.due_date) in text
    assert translation.get_language() == "en"  # the client's language did not leak out


@pytest.mark.parametrize("invoice", ["nl", "fr"], indirect=True)
def test_the_pdf_and_email_read_in_dutch_and_french(invoice: Invoice):
    language = invoice.client.language
    if not translated(language, "Due date"):
        pytest.skip(f"the {language} catalogue has no translations of the billing documents yet")

    text = pdf_text(invoice_pdf(invoice))
    email = invoice_email(invoice)

    for word in WORDS[language]:
        assert word in text
    assert WORDS[language][0] in email.subject
    assert WORDS[language][1] in email.text


@pytest.mark.parametrize("invoice", ["nl", "fr"], indirect=True)
def test_the_sent_email_is_in_the_clients_language(invoice: Invoice):
    language = invoice.client.language

    services.send_invoice(invoice)

    message = only_message()
    money = in_language(language, format_money, Decimal("2518.30"), "EUR")
    html = html_of(message)
    assert money in message.body and money in html
    assert in_language(language, format_date, invoice.issue_date) in message.body
    assert f'<html lang="{language}">' in html


@pytest.mark.parametrize("invoice", ["nl", "fr"], indirect=True)
def test_the_send_page_previews_the_email_as_the_client_receives_it(owner_client: HttpClient, invoice: Invoice):
    page = owner_client.get(reverse("invoices:invoice_send", args=[invoice.pk]))  # the user reads English
    html = page.content.decode()
    preview = invoice_email(invoice)

    assert preview.language == invoice.client.language
    assert preview.subject in html
    assert f"{invoice.number}.pdf" in html
    body = page.context["email"].text
    assert body == preview.text
    assert in_language(invoice.client.language, format_money, Decimal("2518.30"), "EUR") in body
    assert "Brasserie Dupont" in body

    services.send_invoice(invoice)
    [message] = mail.outbox
    assert (message.subject, message.body) == (preview.subject, preview.text)  # the preview is the email
    assert [name for name, *_ in message.attachments] == preview.attachment_names


def test_a_new_clients_language_follows_the_organisations_country_then_the_user(
    owner_client: HttpClient, organization: Organization
):
    assert default_document_language("NL", "fr") == "nl"
    assert default_document_language("LU", "nl") == "fr"
    assert default_document_language("BE", "fr") == "fr"
    assert default_document_language("BE", "") == "en"

    make_billing_profile(organization, country="NL", vat_number="", enterprise_number="")
    page = owner_client.get(reverse("invoices:client_create"))
    assert page.context["form"]["language"].value() == "nl"


def test_the_client_form_saves_the_language(owner_client: HttpClient, organization: Organization):
    owner_client.post(
        reverse("invoices:client_create"),
        {
            "name": "Boulangerie Martin",
            "country": "BE",
            "language": "fr",
            "payment_terms_days": "30",
            "currency": "EUR",
            "opening_balance": "0",
        },
    )

    assert Client.objects.get(name="Boulangerie Martin").language == "fr"


def test_reminders_follow_the_clients_language(organization: Organization):
    from invoices.notifications import send_reminder_email

    client = make_client(organization, language="nl")
    invoice = make_invoice(organization, client)

    send_reminder_email(invoice, 7, today=invoice.due_date + datetime.timedelta(days=7))

    [message] = mail.outbox
    assert in_language("nl", format_money, Decimal("121.00"), "EUR") in message.body
    assert in_language("nl", format_date, invoice.due_date) in message.body


def test_a_reverse_charge_line_states_its_reason_in_the_clients_language(organization: Organization):
    client = make_client(organization, language="fr", vat_number="BE0477472701")
    invoice = make_invoice(
        organization, client, lines=[Line("Licence", Decimal("1"), Decimal("100"), Decimal("0"), "AE")]
    )

    with translation.override("fr"):
        label = str(VatCategory.REVERSE_CHARGE.label)
    assert label in pdf_text(invoice_pdf(invoice))
