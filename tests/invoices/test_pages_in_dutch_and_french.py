"""The billing pages as a Dutch- and a French-speaking user reads them: each page in the user's
language (their saved choice, whatever the browser asks for), its amounts written the way that
language writes money, its dates the way it writes dates."""

from __future__ import annotations

import datetime
import html
from decimal import Decimal

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import translation

from banking.models import ReceivedDocument
from core.formatting import format_date, format_money
from core.models import Organization, Role
from invoices import services
from invoices.models import Challan, Client, Invoice, Payment
from tests.factories import make_client, make_invoice, make_lines, make_received_document, member
from tests.helpers import logged_in_client

pytestmark = pytest.mark.django_db

D = Decimal
# A total above a thousand, so the grouping separator shows: 2 x 1,250.00 + 21 % = 3,025.00.
TOTAL = D("3025.00")
PAID = D("1000.00")
CREDITED = D("121.00")


@pytest.fixture
def billing(organization: Organization) -> dict[str, object]:
    """One of each document: an invoice partly paid and credited, a general payment, a delivery
    note, a supplier's e-invoice received over Peppol, and a deleted payment in the trash."""
    client = make_client(organization, name="Brasserie Dupont")
    invoice = make_invoice(organization, client, lines=make_lines(("2", "1250.00", "21")))
    services.record_payment(
        organization=organization,
        client=client,
        invoice=invoice,
        amount=PAID,
        date=datetime.date(2026, 3, 20),
        currency="EUR",
    )
    credit_note = services.issue_credit_note(
        invoice, lines=make_lines(("1", "100.00", "21")), issue_date=invoice.issue_date
    )
    deleted = services.record_payment(
        organization=organization, client=client, amount=D("1500.00"), date=datetime.date(2026, 3, 25), currency="EUR"
    )
    services.soft_delete(deleted)
    challan = services.create_challan(
        organization=organization,
        client=client,
        lines=make_lines(("3", "1250.00", "21")),
        date=datetime.date(2026, 3, 1),
    )
    received = make_received_document(organization)
    ReceivedDocument.objects.filter(pk=received.pk).update(
        net_amount=D("1270.25"),
        vat_amount=D("266.75"),
        payable_amount=D("1537.00"),
        lines=[
            {
                "id": "1",
                "description": "Brochures A5",
                "quantity": "2500",
                "unit_code": "C62",
                "unit_price": "0.5081",
                "net_amount": "1270.25",
                "vat_category": "S",
                "vat_rate": "21",
            }
        ],
    )
    invoice.refresh_from_db()
    return {
        "client": client,
        "invoice": invoice,
        "credit_note": credit_note,
        "deleted": deleted,
        "challan": challan,
        "received": received,
    }


def reader(organization: Organization, language: str) -> HttpClient:
    """An owner who chose `language` on their account, with a browser that asks for English."""
    user = member(organization, Role.OWNER, email=f"{language}@acme.example", language=language)
    client = logged_in_client(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def page(client: HttpClient, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    # As a reader sees it: &#x27; and &quot; become ' and " again.
    return html.unescape(response.content.decode())


def money(amount: Decimal | str, language: str) -> str:
    with translation.override(language):
        return format_money(Decimal(amount), "EUR")


def day(value: datetime.date, language: str, style: str = "SHORT_DATE_FORMAT") -> str:
    with translation.override(language):
        return format_date(value, style)


# What each language calls things on these pages (the catalogues' words, checked here).
WORDS = {
    "nl": {
        "invoices": "Facturen",
        "due": "Vervaldatum",
        "balance_due": "Openstaand saldo",
        "partially_paid": "Gedeeltelijk betaald",
        "clients": "Klanten",
        "invoiced": "Gefactureerd",
        "statement": "Rekeningoverzicht van Brasserie Dupont",
        "opening_balance": "Beginsaldo",
        "payments": "Betalingen",
        "bank_transfer": "Overschrijving",
        "general_payment": "Betaling op rekening",
        "record_payment": "Betaling registreren",
        "credit_notes": "Creditnota's",
        "delivery_notes": "Leveringsbonnen",
        "new_delivery_note": "Nieuwe leveringsbon",
        "save_delivery_note": "Leveringsbon opslaan",
        "unit_price": "Eenheidsprijs",
        "turn_into_invoice": "Omzetten in een factuur",
        "not_ready": "Niet klaar voor Peppol",
        "net_base": "Maatstaf van heffing",
        "received": "Ontvangen via Peppol",
        "supplier": "Leverancier",
        "to_pay": "Te betalen",
        "deleted_items": "Verwijderde documenten",
        "restore": "Terugzetten",
    },
    "fr": {
        "invoices": "Factures",
        "due": "Échéance",
        "balance_due": "Solde dû",
        "partially_paid": "Partiellement payée",
        "clients": "Clients",
        "invoiced": "Facturé",
        "statement": "Relevé de compte du client Brasserie Dupont",
        "opening_balance": "Solde d'ouverture",
        "payments": "Paiements",
        "bank_transfer": "Virement",
        "general_payment": "Paiement sur compte",
        "record_payment": "Enregistrer le paiement",
        "credit_notes": "Notes de crédit",
        "delivery_notes": "Bons de livraison",
        "new_delivery_note": "Nouveau bon de livraison",
        "save_delivery_note": "Enregistrer le bon de livraison",
        "unit_price": "Prix unitaire",
        "turn_into_invoice": "Transformer en facture",
        "not_ready": "Pas prête pour Peppol",
        "net_base": "Base imposable",
        "received": "Reçus via Peppol",
        "supplier": "Fournisseur",
        "to_pay": "À payer",
        "deleted_items": "Documents supprimés",
        "restore": "Restaurer",
    },
}
LANGUAGES = sorted(WORDS)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_invoice_list_reads_in_the_users_language(organization, billing, language: str):
    invoice = billing["invoice"]
    assert isinstance(invoice, Invoice)
    words = WORDS[language]

    text = page(reader(organization, language), reverse("invoices:invoice_list"))

    for word in ("invoices", "due", "balance_due", "partially_paid"):
        assert words[word] in text
    assert money(TOTAL, language) in text
    assert money(invoice.balance_due, language) in text
    assert day(invoice.due_date, language) in text
    assert "EUR 3025.00" not in text and "Balance due" not in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_client_list_and_statement_read_in_the_users_language(organization, billing, language: str):
    client = billing["client"]
    assert isinstance(client, Client)
    words = WORDS[language]
    reader_client = reader(organization, language)

    listing = page(reader_client, reverse("invoices:client_list"))
    statement = page(reader_client, reverse("invoices:client_statement", args=[client.pk]) + "?from=all")

    assert words["clients"] in listing and words["invoiced"] in listing
    assert money(TOTAL, language) in listing and money(PAID, language) in listing
    assert words["statement"] in statement and words["opening_balance"] in statement
    assert money(TOTAL, language) in statement and money(CREDITED, language) in statement
    assert day(datetime.date(2026, 3, 2), language) in statement


@pytest.mark.parametrize("language", LANGUAGES)
def test_payments_and_credit_notes_read_in_the_users_language(organization, billing, language: str):
    words = WORDS[language]
    reader_client = reader(organization, language)

    payments = page(reader_client, reverse("invoices:payment_list"))
    general_payment = page(reader_client, reverse("invoices:payment_create"))
    credit_notes = page(reader_client, reverse("invoices:credit_note_list"))

    assert words["payments"] in payments and words["bank_transfer"] in payments
    assert money(PAID, language) in payments and day(datetime.date(2026, 3, 20), language) in payments
    assert words["general_payment"] in general_payment and words["record_payment"] in general_payment
    assert words["credit_notes"] in credit_notes and money(CREDITED, language) in credit_notes


@pytest.mark.parametrize("language", LANGUAGES)
def test_delivery_notes_read_in_the_users_language(organization, billing, language: str):
    challan = billing["challan"]
    assert isinstance(challan, Challan)
    words = WORDS[language]
    reader_client = reader(organization, language)

    listing = page(reader_client, reverse("invoices:challan_list"))
    detail = page(reader_client, reverse("invoices:challan_detail", args=[challan.pk]))
    form = page(reader_client, reverse("invoices:challan_create"))

    assert words["delivery_notes"] in listing and words["new_delivery_note"] in listing
    assert day(challan.date, language) in listing
    assert words["unit_price"] in detail and words["turn_into_invoice"] in detail
    assert money("1250.00", language) in detail and day(challan.date, language, "DATE_FORMAT") in detail
    assert words["new_delivery_note"] in form and words["save_delivery_note"] in form


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_einvoice_check_reads_in_the_users_language(organization, billing, language: str):
    invoice = billing["invoice"]
    assert isinstance(invoice, Invoice)
    words = WORDS[language]

    text = page(reader(organization, language), reverse("invoices:invoice_einvoice", args=[invoice.pk]))

    # No billing details yet: the organisation has no Peppol ID, so the check says what is missing.
    assert words["not_ready"] in text and words["net_base"] in text
    assert money(TOTAL, language) in text and money("2500.00", language) in text
    assert day(invoice.due_date, language) in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_received_einvoices_read_in_the_users_language(organization, billing, language: str):
    received = billing["received"]
    assert isinstance(received, ReceivedDocument)
    words = WORDS[language]
    reader_client = reader(organization, language)

    listing = page(reader_client, reverse("invoices:received_list"))
    detail = page(reader_client, reverse("invoices:received_detail", args=[received.pk]))

    assert words["received"] in listing and words["supplier"] in listing
    assert money("1537.00", language) in listing
    assert words["supplier"] in detail and words["to_pay"] in detail
    assert money("1270.25", language) in detail and money("266.75", language) in detail
    assert day(received.issue_date, language) in detail


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_trash_reads_in_the_users_language(organization, billing, language: str):
    deleted = billing["deleted"]
    assert isinstance(deleted, Payment)
    words = WORDS[language]

    text = page(reader(organization, language), reverse("invoices:deleted_items"))

    assert words["deleted_items"] in text and words["restore"] in text
    # The deleted general payment, named by its amount and day in the reader's language.
    assert money("1500.00", language) in text and day(deleted.date, language) in text
    assert words["general_payment"].lower() in text
