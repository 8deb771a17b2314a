"""Peppol BIS Billing 3.0 documents (UBL 2.1) of our invoices (380) and credit notes (381),
element for element as the reference's validated examples (peppol.md §1): UBL is a sequence, so
the order of the calls below is the order the schema wants. No element is ever written empty
(PEPPOL-EN16931-R008): a missing value leaves its element out, and validation names the rule."""

from __future__ import annotations

import base64
import datetime
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from lxml import etree

from core.business_ids import ParticipantId
from core.models import Organization
from core.validators import normalize_iban
from invoices.models import BillingProfile, Client, CreditNote, Invoice
from invoices.models.lines import LineItem
from invoices.vat import EXEMPTION_CODES, VatCategory, VatGroup, vat_breakdown

CUSTOMIZATION_ID = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
PROFILE_ID = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
ROOTS = {
    "Invoice": "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2",
    "CreditNote": "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2",
}
# The ICD scheme of a company's register number, by country (BT-30): KBO/BCE, KvK.
LEGAL_ID_SCHEMES = {"BE": "0208", "NL": "0106"}
UNIT_CODE = "C62"  # "one": our lines count units, not hours or kilograms
CREDIT_TRANSFER = "30"


@dataclass(frozen=True)
class Party:
    name: str
    address: Sequence[str]  # street lines
    postal_code: str
    city: str
    country: str
    vat_number: str
    enterprise_number: str
    participant: ParticipantId | None
    email: str

    @classmethod
    def of(cls, company: BillingProfile | Client, name: str) -> Party:
        return cls(
            name,
            [line for line in (company.address_line1, company.address_line2) if line],
            company.postal_code,
            company.city,
            company.country.upper(),
            company.vat_number,
            company.enterprise_number,
            company.business_ids.participant_id,
            company.email,
        )

    @classmethod
    def of_organization(cls, organization: Organization, profile: BillingProfile | None) -> Party:
        if profile is None:
            return cls(organization.name, (), "", "", "", "", "", None, "")
        return cls.of(profile, profile.display_name)


class _Builder:
    """Appends UBL elements in document order; `None` or "" values are left out."""

    def __init__(self, root_name: str, currency: str) -> None:
        self.currency = currency
        self.root = etree.Element(
            f"{{{ROOTS[root_name]}}}{root_name}", nsmap={None: ROOTS[root_name], "cac": CAC, "cbc": CBC}
        )

    def basic(self, parent: etree._Element, tag: str, value: object, /, **attributes: str) -> None:
        text = _text(value)
        if text:
            etree.SubElement(parent, f"{{{CBC}}}{tag}", attributes).text = text

    def amount(self, parent: etree._Element, name: str, value: Decimal) -> None:
        self.basic(parent, name, f"{value:.2f}", currencyID=self.currency)

    def group(self, parent: etree._Element, name: str) -> etree._Element:
        return etree.SubElement(parent, f"{{{CAC}}}{name}")


# What XML 1.0 cannot carry: control characters other than tab and line breaks, lone surrogates,
# U+FFFE and U+FFFF. A name typed or pasted with one must not make the document impossible.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value.normalize() + 0, "f")  # 21, 6.5, 0.257: no exponent, no trailing zeros
    return _NOT_XML.sub("", str(value)).strip()


def invoice_ubl(invoice: Invoice, *, pdf: bytes | None = None) -> bytes:
    """The invoice as a BIS 3.0 Invoice (380), with the PDF embedded when given."""
    items = list(invoice.items.all())
    build = _Builder("Invoice", invoice.currency)
    root = build.root
    _header(build, invoice.number, invoice)
    build.basic(root, "DueDate", invoice.due_date.isoformat())
    build.basic(root, "InvoiceTypeCode", "380")
    build.basic(root, "Note", invoice.notes[:1000])
    build.basic(root, "DocumentCurrencyCode", invoice.currency)
    build.basic(root, "BuyerReference", _buyer_reference(invoice.client, invoice.number))
    _attachment(build, invoice.number, pdf)
    groups = invoice.vat_groups(items)
    profile = _profile(invoice.organization_id)
    _parties(build, profile, invoice.organization, invoice.client, groups)
    _delivery(build, groups, invoice.issue_date, invoice.client)
    _payment_means(build, profile, invoice)
    _totals(build, groups, invoice.subtotal, invoice.vat_total, invoice.total)
    _lines(build, "InvoiceLine", "InvoicedQuantity", items)
    return _serialized(root)


def credit_note_ubl(credit_note: CreditNote, *, pdf: bytes | None = None) -> bytes:
    """The credit note as a BIS 3.0 CreditNote (381) referring to the invoice it credits; its
    amounts are positive (the document type carries the sign, reference §1.2)."""
    items = list(credit_note.items.all())
    invoice = credit_note.invoice
    build = _Builder("CreditNote", credit_note.currency)
    root = build.root
    _header(build, credit_note.number, credit_note)
    build.basic(root, "CreditNoteTypeCode", "381")
    build.basic(root, "Note", credit_note.reason)
    build.basic(root, "DocumentCurrencyCode", credit_note.currency)
    build.basic(root, "BuyerReference", _buyer_reference(credit_note.client, invoice.number))
    reference = build.group(build.group(root, "BillingReference"), "InvoiceDocumentReference")
    build.basic(reference, "ID", invoice.number)
    build.basic(reference, "IssueDate", invoice.issue_date.isoformat())
    _attachment(build, credit_note.number, pdf)
    groups = vat_breakdown(item.vat_line for item in items)  # as its totals were computed
    _parties(build, _profile(credit_note.organization_id), credit_note.organization, credit_note.client, groups)
    _delivery(build, groups, invoice.issue_date, credit_note.client)
    _totals(build, groups, credit_note.subtotal, credit_note.vat_total, credit_note.total)
    _lines(build, "CreditNoteLine", "CreditedQuantity", items)
    return _serialized(root)


def _header(build: _Builder, number: str, document: Invoice | CreditNote) -> None:
    build.basic(build.root, "CustomizationID", CUSTOMIZATION_ID)
    build.basic(build.root, "ProfileID", PROFILE_ID)
    build.basic(build.root, "ID", number)
    build.basic(build.root, "IssueDate", document.issue_date.isoformat())


def _buyer_reference(client: Client, fallback: str) -> str:
    """BT-10, which Peppol requires when there is no order reference (PEPPOL-EN16931-R003): the
    client's own code for us where we know it, else the invoice number it will search for."""
    return client.external_code or fallback


def _attachment(build: _Builder, number: str, pdf: bytes | None) -> None:
    if pdf is None:
        return
    reference = build.group(build.root, "AdditionalDocumentReference")
    build.basic(reference, "ID", number)
    attachment = build.group(reference, "Attachment")
    build.basic(
        attachment,
        "EmbeddedDocumentBinaryObject",
        base64.b64encode(pdf).decode("ascii"),
        mimeCode="application/pdf",
        filename=f"{number}.pdf",
    )


def _profile(organization_id: int) -> BillingProfile | None:
    return BillingProfile.objects.filter(organization_id=organization_id).first()


def _parties(
    build: _Builder,
    profile: BillingProfile | None,
    organization: Organization,
    client: Client,
    groups: Sequence[VatGroup],
) -> None:
    # A supply outside the scope of VAT names no VAT identifier of either party (BR-O-02, BR-O-03).
    with_vat_ids = not any(group.category == VatCategory.NOT_SUBJECT for group in groups)
    for role, party in (
        ("AccountingSupplierParty", Party.of_organization(organization, profile)),
        ("AccountingCustomerParty", Party.of(client, client.name)),
    ):
        _party(build, build.group(build.group(build.root, role), "Party"), party, with_vat_ids=with_vat_ids)


def _party(build: _Builder, element: etree._Element, party: Party, *, with_vat_ids: bool) -> None:
    if party.participant is not None:
        build.basic(element, "EndpointID", party.participant.value, schemeID=party.participant.scheme)
    build.basic(build.group(element, "PartyName"), "Name", party.name)
    address = build.group(element, "PostalAddress")
    for name, line in zip(("StreetName", "AdditionalStreetName"), party.address, strict=False):
        build.basic(address, name, line)
    build.basic(address, "CityName", party.city)
    build.basic(address, "PostalZone", party.postal_code)
    if party.country:
        build.basic(build.group(address, "Country"), "IdentificationCode", party.country)
    if party.vat_number and with_vat_ids:
        tax_scheme = build.group(element, "PartyTaxScheme")
        build.basic(tax_scheme, "CompanyID", _with_country_prefix(party.vat_number, party.country))
        build.basic(build.group(tax_scheme, "TaxScheme"), "ID", "VAT")
    legal = build.group(element, "PartyLegalEntity")
    build.basic(legal, "RegistrationName", party.name)
    scheme = LEGAL_ID_SCHEMES.get(party.country)
    if party.enterprise_number and scheme:
        build.basic(legal, "CompanyID", party.enterprise_number, schemeID=scheme)
    if party.email:
        build.basic(build.group(element, "Contact"), "ElectronicMail", party.email)


def _delivery(build: _Builder, groups: Sequence[VatGroup], supplied_on: datetime.date, client: Client) -> None:
    """An intra-community supply names when and to which country the goods went (BR-IC-11,
    BR-IC-12). We record no supply date apart from the invoice's issue date, so that date stands
    for it; the country is the client's."""
    if not any(group.category == VatCategory.INTRA_COMMUNITY for group in groups):
        return
    delivery = build.group(build.root, "Delivery")
    build.basic(delivery, "ActualDeliveryDate", supplied_on.isoformat())
    address = build.group(build.group(delivery, "DeliveryLocation"), "Address")
    build.basic(build.group(address, "Country"), "IdentificationCode", client.country.upper())


def _with_country_prefix(vat_number: str, country: str) -> str:
    """BR-CO-09 wants the prefix; numbers stored before they were checked may lack it."""
    number = vat_number.replace(" ", "").replace(".", "").upper()
    return number if number[:2].isalpha() else f"{country}{number}"


def _payment_means(build: _Builder, profile: BillingProfile | None, invoice: Invoice) -> None:
    if profile is None or not profile.iban:
        return
    means = build.group(build.root, "PaymentMeans")
    build.basic(means, "PaymentMeansCode", CREDIT_TRANSFER, name="Credit transfer")
    build.basic(means, "PaymentID", invoice.formatted_reference)
    account = build.group(means, "PayeeFinancialAccount")
    build.basic(account, "ID", normalize_iban(profile.iban))
    build.basic(account, "Name", profile.display_name)
    if profile.bic:
        build.basic(build.group(account, "FinancialInstitutionBranch"), "ID", profile.bic.upper())


def _totals(build: _Builder, groups: Sequence[VatGroup], net: Decimal, vat: Decimal, total: Decimal) -> None:
    tax_total = build.group(build.root, "TaxTotal")
    build.amount(tax_total, "TaxAmount", vat)
    for group in groups:
        subtotal = build.group(tax_total, "TaxSubtotal")
        build.amount(subtotal, "TaxableAmount", group.taxable)
        build.amount(subtotal, "TaxAmount", group.vat)
        _tax_category(build, build.group(subtotal, "TaxCategory"), group.category, group.rate, group.reason)
    monetary = build.group(build.root, "LegalMonetaryTotal")
    build.amount(monetary, "LineExtensionAmount", net)
    build.amount(monetary, "TaxExclusiveAmount", net)
    build.amount(monetary, "TaxInclusiveAmount", total)
    build.amount(monetary, "PayableAmount", total)


def _tax_category(build: _Builder, element: etree._Element, category: str, rate: Decimal, reason: str = "") -> None:
    build.basic(element, "ID", category)
    if category != VatCategory.NOT_SUBJECT:  # "not subject" has no rate at all (BR-O-05, BR-O-09)
        build.basic(element, "Percent", rate)
    if reason:  # on the subtotal only: a line's category carries no reason
        build.basic(element, "TaxExemptionReasonCode", EXEMPTION_CODES.get(VatCategory(category), ""))
        build.basic(element, "TaxExemptionReason", reason)
    build.basic(build.group(element, "TaxScheme"), "ID", "VAT")


def _lines(build: _Builder, line_name: str, quantity_name: str, items: Sequence[LineItem]) -> None:
    for number, item in enumerate(items, start=1):
        line = build.group(build.root, line_name)
        build.basic(line, "ID", number)
        build.basic(line, quantity_name, item.quantity, unitCode=UNIT_CODE)
        build.amount(line, "LineExtensionAmount", item.net_amount)
        article = build.group(line, "Item")
        build.basic(article, "Name", item.description)
        _tax_category(build, build.group(article, "ClassifiedTaxCategory"), item.vat_category, item.vat_rate)
        build.amount(build.group(line, "Price"), "PriceAmount", item.unit_price)


def _serialized(root: etree._Element) -> bytes:
    # A group all of whose values were missing would stay behind empty (PEPPOL-EN16931-R008): the
    # rule about the missing value is the one that tells the user what to fill in.
    for element in reversed(list(root.iter())):
        if element is not root and len(element) == 0 and not (element.text or "").strip():
            element.getparent().remove(element)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))
