"""Our invoices and credit notes as Peppol BIS 3.0 UBL: every VAT category, several rates,
foreign clients and credit notes pass the UBL schema and both rule sets, with the invoice's totals."""

from __future__ import annotations

import base64
import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from core.formatting import format_money
from core.models import Organization
from invoices import services
from invoices.demo import seed_billing
from invoices.einvoicing.ubl import credit_note_ubl, invoice_ubl
from invoices.einvoicing.validation import validate
from invoices.models import BillingProfile, Client, CreditNote, Invoice
from invoices.services import Line
from tests.factories import make_billing_profile, make_client, make_invoice

D = Decimal
NS = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}
ISSUED = datetime.date(2026, 3, 2)


@pytest.fixture
def profile(organization: Organization) -> BillingProfile:
    return make_billing_profile(organization, bic="GKCCBEBB")


@pytest.fixture
def belgian_client(organization: Organization) -> Client:
    return make_client(
        organization,
        name="Klant NV",
        address_line1="Meir 10",
        postal_code="2000",
        city="Antwerpen",
        vat_number="BE0700123432",
        enterprise_number="0700123432",
    )


def dutch_client(organization: Organization) -> Client:
    return make_client(
        organization, name="Klant BV", city="Utrecht", postal_code="3511 AB", country="NL", vat_number="NL000099998B57"
    )


def american_client(organization: Organization) -> Client:
    # A buyer outside Belgium and the Netherlands is reachable over Peppol only by an id it gives
    # us; 9959 is the US employer identification number's scheme.
    return make_client(
        organization, name="Client Inc", city="Boston", postal_code="02110", country="US", peppol_id="9959:123456789"
    )


def belgian_company(organization: Organization) -> Client:
    return make_client(organization, name="Bedrijf BV", vat_number="BE0700123432", enterprise_number="0700123432")


def value(document: bytes, path: str) -> str:
    found: str | None = etree.fromstring(document).findtext(path, namespaces=NS)
    assert found is not None, path
    return found


def vat_categories(document: bytes) -> set[str]:
    return set(etree.fromstring(document).xpath("//cac:TaxSubtotal/cac:TaxCategory/cbc:ID/text()", namespaces=NS))


def assert_valid(document: bytes) -> None:
    result = validate(document)
    assert result.valid, [(issue.rule_id, issue.text) for issue in result.fatal]


@pytest.mark.django_db
def test_control_characters_in_a_clients_name_are_left_out_not_a_server_error(profile, belgian_client):
    belgian_client.name = "Klant\x1b NV\x07"
    belgian_client.save(update_fields=["name"])
    invoice = make_invoice(profile.organization, belgian_client)

    document = invoice_ubl(invoice)

    name = "cac:AccountingCustomerParty/cac:Party/cac:PartyLegalEntity/cbc:RegistrationName"
    assert value(document, name) == "Klant NV"


def test_an_invoice_at_two_rates_passes_every_rule_and_states_the_invoices_totals(profile, belgian_client):
    invoice = make_invoice(
        profile.organization,
        belgian_client,
        lines=[Line("Consultancy", D("10"), D("85.00"), D("21")), Line("Handboek", D("3"), D("20.00"), D("6"))],
    )
    document = invoice_ubl(invoice)

    assert_valid(document)
    assert value(document, "cac:LegalMonetaryTotal/cbc:PayableAmount") == str(invoice.total) == "1092.10"
    assert value(document, "cac:TaxTotal/cbc:TaxAmount") == str(invoice.vat_total) == "182.10"
    assert value(document, "cac:AccountingCustomerParty/cac:Party/cbc:EndpointID") == "0700123432"
    assert value(document, "cac:PaymentMeans/cbc:PaymentID") == invoice.formatted_reference
    assert value(document, "cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:ID") == "BE71096123456769"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("make", "category", "reason"),
    [
        (dutch_client, "AE", ""),
        (dutch_client, "K", ""),
        (american_client, "G", ""),
        (belgian_company, "E", "Art. 44 § 2 4° WBTW"),
        (belgian_company, "Z", ""),
        (belgian_company, "O", ""),
    ],
)
def test_every_vat_category_passes_with_its_reason(profile, make, category: str, reason: str):
    client = make(profile.organization)
    lines = [Line("Services", D("4"), D("125.50"), D("0"), category, reason)]
    if category != "O":  # "not subject" stands alone on a document
        lines.append(Line("Materials", D("1.5"), D("19.99"), D("21")))
    invoice = make_invoice(profile.organization, client, lines=lines)

    document = invoice_ubl(invoice)

    assert_valid(document)
    assert category in etree.fromstring(document).xpath(
        "//cac:TaxSubtotal/cac:TaxCategory/cbc:ID/text()", namespaces=NS
    )


@pytest.mark.django_db
def test_a_credit_note_refers_to_its_invoice_and_carries_the_pdf(profile, belgian_client):
    invoice = make_invoice(profile.organization, belgian_client, lines=[Line("Chairs", D("4"), D("80.00"), D("21"))])
    credit_note = services.issue_credit_note(
        invoice, lines=[Line("Chair returned", D("1"), D("80.00"), D("21"))], issue_date=ISSUED, reason="Damaged"
    )

    document = credit_note_ubl(credit_note, pdf=b"%PDF-1.4 credit note")

    assert_valid(document)
    assert etree.QName(etree.fromstring(document)).localname == "CreditNote"
    assert value(document, "cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID") == invoice.number
    assert value(document, "cac:LegalMonetaryTotal/cbc:PayableAmount") == "96.80"
    embedded = value(document, "cac:AdditionalDocumentReference/cac:Attachment/cbc:EmbeddedDocumentBinaryObject")
    assert base64.b64decode(embedded) == b"%PDF-1.4 credit note"


@pytest.mark.django_db
def test_a_credit_note_downloads_from_the_invoice_page(owner_client, profile, belgian_client):
    invoice = make_invoice(profile.organization, belgian_client, lines=[Line("Chairs", D("4"), D("80.00"), D("21"))])
    credit_note = services.issue_credit_note(
        invoice, lines=[Line("Chair returned", D("1"), D("80.00"), D("21"))], issue_date=ISSUED, reason="Damaged"
    )
    link = reverse("invoices:credit_note_ubl", args=[credit_note.pk])

    page = owner_client.get(reverse("invoices:invoice_detail", args=[invoice.pk])).content.decode()
    download = owner_client.get(link)

    assert f'href="{link}"' in page
    assert download["Content-Type"] == "application/xml"
    assert_valid(b"".join(download.streaming_content))


@pytest.mark.django_db
def test_a_seller_without_its_details_is_told_which_rules_fail(organization, belgian_client):
    invoice = make_invoice(organization, belgian_client)

    result = validate(invoice_ubl(invoice))

    assert not result.valid
    assert "PEPPOL-EN16931-R020" in {issue.rule_id for issue in result.fatal}  # the seller's electronic address
    assert "PEPPOL-EN16931-R008" not in {issue.rule_id for issue in result.fatal}  # no empty element left behind


@pytest.mark.django_db
def test_a_client_without_a_peppol_address_is_told_which_rule_fails(profile):
    invoice = make_invoice(profile.organization, make_client(profile.organization))  # no VAT or enterprise number

    result = validate(invoice_ubl(invoice))

    assert [issue.rule_id for issue in result.fatal] == ["PEPPOL-EN16931-R010"]  # the buyer's electronic address


@pytest.mark.django_db
def test_a_supply_outside_vat_names_no_vat_number_and_an_intra_community_one_its_delivery(profile, belgian_client):
    outside = invoice_ubl(
        make_invoice(profile.organization, belgian_client, lines=[Line("Gift", D("1"), D("50"), D("0"), "O")])
    )
    intra = make_invoice(
        profile.organization, dutch_client(profile.organization), lines=[Line("Goods", D("2"), D("40"), D("0"), "K")]
    )
    document = invoice_ubl(intra)

    assert etree.fromstring(outside).find(".//cac:PartyTaxScheme", namespaces=NS) is None
    assert value(document, "cac:Delivery/cbc:ActualDeliveryDate") == intra.issue_date.isoformat()
    assert value(document, "cac:Delivery/cac:DeliveryLocation/cac:Address/cac:Country/cbc:IdentificationCode") == "NL"
    assert_valid(outside)
    assert_valid(document)


amounts = st.tuples(
    st.decimals(min_value=D("0.001"), max_value=D("500"), places=3),
    st.decimals(min_value=D("0"), max_value=D("99999.99"), places=2),
    st.sampled_from([("S", D("21")), ("S", D("12")), ("S", D("6")), ("Z", D("0")), ("E", D("0"))]),
)


@pytest.mark.django_db
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw_lines=st.lists(amounts, min_size=1, max_size=8))
def test_any_lines_give_a_valid_document_with_the_invoices_totals(profile, belgian_client, raw_lines):
    lines = [
        Line(f"Item {n}", quantity, price, rate, category, "Exempt (art. 44)" if category == "E" else "")
        for n, (quantity, price, (category, rate)) in enumerate(raw_lines)
    ]
    invoice = make_invoice(profile.organization, belgian_client, lines=lines)

    document = invoice_ubl(invoice)

    assert_valid(document)
    assert D(value(document, "cac:LegalMonetaryTotal/cbc:PayableAmount")) == invoice.total
    assert D(value(document, "cac:LegalMonetaryTotal/cbc:LineExtensionAmount")) == invoice.subtotal
    assert D(value(document, "cac:TaxTotal/cbc:TaxAmount")) == invoice.vat_total


@pytest.mark.django_db
def test_the_page_shows_the_check_and_the_download_embeds_the_pdf(owner_client, profile, belgian_client):
    invoice = make_invoice(profile.organization, belgian_client)

    page = owner_client.get(reverse("invoices:invoice_einvoice", args=[invoice.pk]))
    download = owner_client.get(reverse("invoices:invoice_ubl", args=[invoice.pk]))

    shown = page.content.decode()
    assert page.status_code == 200 and "Ready for Peppol" in shown
    assert "<code>0208:0477472701</code>" in shown and "<code>0208:0700123432</code>" in shown
    assert "Standard rate" in shown and f">{format_money(21)}<" in shown  # the VAT of 100.00 at 21 %
    assert download["Content-Type"] == "application/xml"
    assert f'filename="{invoice.number.lower()}.xml"' in download["Content-Disposition"]
    document = b"".join(download.streaming_content)
    embedded = value(document, "cac:AdditionalDocumentReference/cac:Attachment/cbc:EmbeddedDocumentBinaryObject")
    assert base64.b64decode(embedded).startswith(b"%PDF")
    assert_valid(document)


@pytest.mark.django_db
def test_the_page_names_each_broken_rule(owner_client, organization, belgian_client):
    invoice = make_invoice(organization, belgian_client)

    page = owner_client.get(reverse("invoices:invoice_einvoice", args=[invoice.pk])).content.decode()

    assert "Not ready for Peppol" in page and "PEPPOL-EN16931-R020" in page


@pytest.mark.django_db
def test_another_organisations_invoice_is_not_found(owner_client, profile, belgian_client):
    stranger = Organization.objects.create(name="Someone else")
    invoice = make_invoice(stranger, make_client(stranger))

    for name in ("invoices:invoice_einvoice", "invoices:invoice_ubl"):
        assert owner_client.get(reverse(name, args=[invoice.pk])).status_code == 404
    assert Invoice.objects.filter(pk=invoice.pk).exists()


@pytest.mark.django_db
def test_every_demo_invoice_and_credit_note_passes(organization):
    seed_billing(organization)
    invoices = list(Invoice.objects.filter(organization=organization))
    credit_notes = list(CreditNote.objects.filter(organization=organization))

    documents = [invoice_ubl(invoice) for invoice in invoices] + [credit_note_ubl(note) for note in credit_notes]

    assert len(invoices) == 35 and credit_notes
    categories = set()
    for document in documents:
        assert_valid(document)
        categories |= set(
            etree.fromstring(document).xpath("//cac:TaxSubtotal/cac:TaxCategory/cbc:ID/text()", namespaces=NS)
        )
    assert categories == {"S", "AE", "K"}


@pytest.mark.django_db
def test_a_document_takes_two_queries_whatever_its_lines(profile, belgian_client, django_assert_num_queries):
    lines = [Line(f"Item {n}", D("1"), D("10.00"), D("21")) for n in range(30)]
    made = make_invoice(profile.organization, belgian_client, lines=lines)
    invoice = Invoice.objects.select_related("client", "organization").get(pk=made.pk)

    with django_assert_num_queries(2):  # its lines, the seller's billing profile
        invoice_ubl(invoice)
