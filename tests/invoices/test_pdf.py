"""The PDF documents print what the services stored: parties, lines, VAT per rate, totals."""

from __future__ import annotations

import datetime
import io
import re
from decimal import Decimal

import pytest
from pypdf import PdfReader

from core.formatting import format_money
from core.models import Organization
from invoices import services
from invoices.models import BillingProfile, Client, Invoice
from invoices.pdf import challan_pdf, credit_note_pdf, invoice_pdf, payment_receipt_pdf
from invoices.services import Line
from tests.factories import make_client, make_invoice, make_lines

ISSUED = datetime.date(2026, 3, 2)


def pdf_text(document: bytes) -> str:
    """All pages' text with every run of whitespace made one space."""
    assert document.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(document))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def money(amount: str) -> str:
    """An amount as an English client's PDF prints it, its spaces made one space like pdf_text's."""
    return " ".join(format_money(Decimal(amount), "EUR").split())


def line(description: str, quantity: str, unit_price: str, vat_rate: str) -> Line:
    return Line(description, Decimal(quantity), Decimal(unit_price), Decimal(vat_rate))


@pytest.fixture
def buyer(organization: Organization) -> Client:
    return make_client(
        organization,
        name="Brasserie Dupont & Fils",
        address_line1="Rue de la Loi 16",
        postal_code="1000",
        city="Brussels",
        vat_number="BE0123456789",
    )


@pytest.fixture
def invoice(organization: Organization, buyer: Client) -> Invoice:
    # 21 %: 300.00 + 0.07 + 0.07 = 300.14 net; VAT on that base 63.03 (the lines' own rounded VAT
    #       would add up to 63.00 + 0.01 + 0.01 = 63.02: VAT is computed once per rate).
    #  6 %: 25.00 net; VAT 1.50.   Total 325.14 + 64.53 = 389.67.
    return make_invoice(
        organization,
        buyer,
        issue_date=ISSUED,
        lines=[
            line("Consulting <on site>", "3", "100.00", "21"),
            line("Postage envelope", "1", "0.07", "21"),
            line("Postage stamp", "1", "0.07", "21"),
            line("Reference books", "2", "12.50", "6"),
        ],
    )


@pytest.mark.django_db
def test_invoice_shows_number_client_lines_and_dates(invoice: Invoice):
    text = pdf_text(invoice_pdf(invoice))

    assert invoice.number == "INV-2026-0001"
    assert "Invoice INV-2026-0001" in text
    assert "Brasserie Dupont & Fils" in text
    assert "Rue de la Loi 16" in text and "1000 Brussels" in text and "VAT BE0123456789" in text
    for description in ("Consulting <on site>", "Postage envelope", "Postage stamp", "Reference books"):
        assert description in text
    assert "Invoice date 02/03/2026" in text
    assert "Due date 01/04/2026" in text  # the client's 30 days of payment terms


@pytest.mark.django_db
def test_invoice_computes_vat_once_per_rate(invoice: Invoice):
    text = pdf_text(invoice_pdf(invoice))

    assert f"21 % {money('300.14')} {money('63.03')}" in text
    assert f"6 % {money('25.00')} {money('1.50')}" in text
    assert f"Subtotal {money('325.14')}" in text
    assert f"VAT {money('64.53')}" in text


@pytest.mark.django_db
def test_invoice_totals_after_a_partial_payment(organization: Organization, buyer: Client, invoice: Invoice):
    services.record_payment(
        organization=organization,
        client=buyer,
        invoice=invoice,
        amount=Decimal("100.00"),
        date=datetime.date(2026, 3, 10),
        currency="EUR",
    )

    # The instance passed is out of date: the document prints what is stored now.
    text = pdf_text(invoice_pdf(invoice))

    assert f"Total {money('389.67')}" in text
    assert f"Paid {money('100.00')}" in text
    assert f"Credited {money('0.00')}" in text
    assert f"Balance due {money('289.67')}" in text
    assert f"Please transfer {money('289.67')} by 01/04/2026" in text


@pytest.mark.django_db
def test_invoice_prints_the_structured_reference(invoice: Invoice):
    text = pdf_text(invoice_pdf(invoice))

    assert re.fullmatch(r"\+\+\+\d{3}/\d{4}/\d{5}\+\+\+", invoice.formatted_reference)
    assert f"Structured reference {invoice.formatted_reference}" in text


@pytest.mark.django_db
def test_invoice_prints_the_billing_profile_and_its_bank_account(organization: Organization, invoice: Invoice):
    BillingProfile.objects.create(
        organization=organization,
        legal_name="Acme Consulting BV",
        address_line1="Kunstlaan 5",
        postal_code="1210",
        city="Sint-Joost-ten-Node",
        vat_number="BE0987654321",
        iban="be71 0961 2345 6769",
        bic="GKCCBEBB",
    )

    text = pdf_text(invoice_pdf(invoice))

    assert "Acme Consulting BV" in text
    assert "Kunstlaan 5" in text and "VAT BE0987654321" in text
    # In the payment block, with the reference (the footer repeats the IBAN on every page).
    payment = f"Structured reference {invoice.formatted_reference} IBAN BE71 0961 2345 6769 BIC GKCCBEBB"
    assert payment in text


@pytest.mark.django_db
def test_without_a_billing_profile_the_organisation_name_is_printed_and_none_is_created(invoice: Invoice):
    text = pdf_text(invoice_pdf(invoice))

    assert "Acme BV" in text
    assert "IBAN" not in text
    assert not BillingProfile.objects.exists()


@pytest.mark.django_db
def test_invoice_pdf_needs_a_handful_of_queries(invoice: Invoice, django_assert_max_num_queries):
    fresh = Invoice.objects.get(pk=invoice.pk)

    with django_assert_max_num_queries(3):
        invoice_pdf(fresh)


@pytest.mark.django_db
def test_a_long_invoice_runs_over_pages_with_every_line(organization: Organization, buyer: Client):
    invoice = make_invoice(organization, buyer, lines=make_lines(*[("1", "10.00", "21")] * 80))

    document = invoice_pdf(invoice)
    text = pdf_text(document)

    assert len(PdfReader(io.BytesIO(document)).pages) > 1
    assert all(f"Line {n} " in text for n in range(1, 81))
    assert f"Total {money('968.00')}" in text  # 80 lines of 12.10


@pytest.mark.django_db
def test_credit_note_names_itself_its_invoice_and_its_total(invoice: Invoice):
    credit_note = services.issue_credit_note(
        invoice,
        lines=[line("Returned reference book", "1", "12.50", "6")],
        issue_date=datetime.date(2026, 3, 5),
        reason="Damaged copy",
    )

    text = pdf_text(credit_note_pdf(credit_note))

    assert "Credit note CN-2026-0001" in text
    assert "Credits invoice INV-2026-0001" in text
    assert "Returned reference book" in text
    assert f"6 % {money('12.50')} {money('0.75')}" in text
    assert f"Total credited {money('13.25')}" in text
    assert "Reason: Damaged copy" in text
    assert "Brasserie Dupont & Fils" in text


@pytest.mark.django_db
def test_invoice_shows_what_a_credit_note_took_off(invoice: Invoice):
    services.issue_credit_note(
        invoice, lines=[line("Returned reference book", "1", "12.50", "6")], issue_date=datetime.date(2026, 3, 5)
    )

    text = pdf_text(invoice_pdf(invoice))

    assert f"Credited {money('13.25')}" in text
    assert f"Balance due {money('376.42')}" in text  # 389.67 - 13.25


@pytest.mark.django_db
def test_receipt_of_a_general_payment(organization: Organization, buyer: Client):
    payment = services.record_payment(
        organization=organization,
        client=buyer,
        amount=Decimal("250.00"),
        date=datetime.date(2026, 3, 12),
        currency="EUR",
        reference="Advance March",
    )

    text = pdf_text(payment_receipt_pdf(payment))

    assert "Payment receipt" in text
    assert "General payment" in text
    assert "INV-" not in text
    assert f"Amount received {money('250.00')}" in text
    assert "Payment date 12/03/2026" in text
    assert "Brasserie Dupont & Fils" in text
    assert "Advance March" in text


@pytest.mark.django_db
def test_receipt_of_an_invoice_payment_names_the_invoice(organization: Organization, buyer: Client, invoice: Invoice):
    payment = services.record_payment(
        organization=organization,
        client=buyer,
        invoice=invoice,
        amount=Decimal("100.00"),
        date=datetime.date(2026, 3, 10),
        currency="EUR",
    )

    text = pdf_text(payment_receipt_pdf(payment))

    assert "For invoice INV-2026-0001" in text
    assert "General payment" not in text
    assert f"Amount received {money('100.00')}" in text


@pytest.mark.django_db
def test_challan_lists_its_lines_and_delivery_address(organization: Organization, buyer: Client):
    challan = services.create_challan(
        organization=organization,
        client=buyer,
        date=datetime.date(2026, 3, 4),
        delivery_address="Warehouse 3\nHavenlaan 12\n1000 Brussels",
        lines=[line("Pallet of oak planks", "4", "0", "21"), line("Box of screws", "12.5", "0", "21")],
    )

    text = pdf_text(challan_pdf(challan))

    assert "Delivery note DN-2026-0001" in text
    assert "Pallet of oak planks 4" in text
    assert "Box of screws 12.5" in text  # the client reads English: a decimal point
    assert "Havenlaan 12" in text
    assert "Brasserie Dupont & Fils" in text
    assert "Unit price" not in text and "EUR" not in text  # no prices: none printed


@pytest.mark.django_db
def test_priced_challan_prints_prices_and_totals(organization: Organization, buyer: Client):
    challan = services.create_challan(
        organization=organization,
        client=buyer,
        date=datetime.date(2026, 3, 4),
        lines=[line("Pallet of oak planks", "4", "85.00", "21")],
    )

    text = pdf_text(challan_pdf(challan))

    assert f"Pallet of oak planks 4 {money('85.00')} 21 % {money('340.00')}" in text
    assert f"Total {money('411.40')}" in text  # 340.00 + 71.40
