"""Reading a UBL 2.1 Invoice or CreditNote: parsed safely, then turned into the fields of a
`DocumentResponse` (reference peppol.md §3.4) the way the access point fills them from the XML.

Amounts stay strings and are never rounded: "850.00" stays "850.00", "850" becomes "850.00", a
price with four decimals keeps them. Which XML element feeds which field is read from the SDK's
field descriptions ([V] names, [I] mapping); a value that is missing or unreadable is `null`.
"""

from __future__ import annotations

import base64
import binascii
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from lxml import etree

CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
INVOICE = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
CREDIT_NOTE = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
ROOTS = {INVOICE: "Invoice", CREDIT_NOTE: "CreditNote"}
NS = {"cac": CAC, "cbc": CBC}
CENT = Decimal("0.01")
# UNCL1001 type codes → the SDK's DocumentType; otherwise the root element decides.
DOCUMENT_TYPES = {
    "380": "INVOICE",
    "381": "CREDIT_NOTE",
    "383": "DEBIT_NOTE",
    "389": "SELFBILLING_INVOICE",
    "261": "SELFBILLING_CREDIT_NOTE",
}

Element = Any  # an lxml element (lxml has no type information here)


class UblError(ValueError):
    """The bytes are not a UBL invoice or credit note the access point accepts."""


def parse(raw: bytes) -> Element:
    """The root element of a UBL Invoice or CreditNote; UblError says why the bytes are not one.

    No DTD is loaded, no entity expanded and nothing fetched; a document that declares a DOCTYPE
    at all is refused, the conservative reading of what an access point takes.
    """
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(raw, parser)
    except (etree.XMLSyntaxError, ValueError) as error:
        raise UblError(f"The file is not well-formed XML: {error}") from error
    if root.getroottree().docinfo.doctype:
        raise UblError("The file declares a DOCTYPE; UBL documents must not.")
    if kind_of(root) is None:
        raise UblError("The file is not a UBL 2.1 Invoice or CreditNote.")
    return root


def kind_of(root: Element) -> str | None:
    """`Invoice` or `CreditNote` for a UBL root element, None for anything else."""
    name = etree.QName(root)
    kind = ROOTS.get(str(name.namespace))
    return kind if kind == name.localname else None


def local_name(element: Element) -> str:
    return str(etree.QName(element).localname)


def text(element: Element | None, path: str) -> str | None:
    """The stripped text at `path` under `element`; None when absent or empty."""
    if element is None:
        return None
    found = element.findtext(path, namespaces=NS)
    return (str(found).strip() or None) if found is not None else None


def amount(value: str | None) -> str | None:
    """An amount as the JSON string the API uses: at least two decimals, never rounded."""
    if value is None:
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        return None
    if not number.is_finite():
        return None
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and exponent >= -2:
        number = number.quantize(CENT)
    return format(number, "f")


def peppol_id(element: Element | None) -> str | None:
    """`scheme:value` of an EndpointID (or any identifier with a schemeID)."""
    if element is None or not (element.text or "").strip():
        return None
    scheme = element.get("schemeID")
    return f"{scheme}:{str(element.text).strip()}" if scheme else None


def _vat_number(party: Element | None) -> str | None:
    if party is None:
        return None
    for scheme in party.findall("cac:PartyTaxScheme", NS):
        if text(scheme, "cac:TaxScheme/cbc:ID") == "VAT":
            return text(scheme, "cbc:CompanyID")
    return None


def _address(element: Element | None) -> str | None:
    if element is None:
        return None
    street = ", ".join(
        part for part in (text(element, "cbc:StreetName"), text(element, "cbc:AdditionalStreetName")) if part
    )
    place = " ".join(part for part in (text(element, "cbc:PostalZone"), text(element, "cbc:CityName")) if part)
    parts = [part for part in (street, place, text(element, "cac:Country/cbc:IdentificationCode")) if part]
    return ", ".join(parts) or None


def _party(party: Element | None, role: str) -> dict[str, object]:
    return {
        f"{role}_name": text(party, "cac:PartyLegalEntity/cbc:RegistrationName")
        or text(party, "cac:PartyName/cbc:Name"),
        f"{role}_tax_id": _vat_number(party),
        f"{role}_company_id": text(party, "cac:PartyLegalEntity/cbc:CompanyID"),
        f"{role}_address": _address(party.find("cac:PostalAddress", NS) if party is not None else None),
        f"{role}_address_recipient": None,
        f"{role}_email": text(party, "cac:Contact/cbc:ElectronicMail"),
    }


def _allowance_charge(element: Element) -> dict[str, object]:
    return {
        "amount": amount(text(element, "cbc:Amount")),
        "base_amount": amount(text(element, "cbc:BaseAmount")),
        "multiplier_factor": text(element, "cbc:MultiplierFactorNumeric"),
        "reason": text(element, "cbc:AllowanceChargeReason"),
        "reason_code": text(element, "cbc:AllowanceChargeReasonCode"),
        "tax_code": text(element, "cac:TaxCategory/cbc:ID"),
        "tax_rate": amount(text(element, "cac:TaxCategory/cbc:Percent")),
    }


def _split_allowances(parent: Element) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    allowances: list[dict[str, object]] = []
    charges: list[dict[str, object]] = []
    for element in parent.findall("cac:AllowanceCharge", NS):
        (charges if text(element, "cbc:ChargeIndicator") == "true" else allowances).append(_allowance_charge(element))
    return allowances, charges


def _line_tax(line_amount: str | None, rate: str | None) -> str | None:
    # The API's per-line VAT is its own figure (there is no such element in UBL) [I]: net times rate.
    if line_amount is None or rate is None:
        return None
    tax = Decimal(line_amount) * Decimal(rate) / 100
    return format(tax.quantize(CENT, rounding=ROUND_HALF_UP), "f")


def _item(line: Element) -> dict[str, object]:
    quantity = line.find("cbc:InvoicedQuantity", NS)
    if quantity is None:
        quantity = line.find("cbc:CreditedQuantity", NS)
    line_amount = amount(text(line, "cbc:LineExtensionAmount"))
    rate = amount(text(line, "cac:Item/cac:ClassifiedTaxCategory/cbc:Percent"))
    allowances, charges = _split_allowances(line)
    return {
        "description": text(line, "cac:Item/cbc:Name"),
        "quantity": str(quantity.text).strip() if quantity is not None and quantity.text else None,
        "unit": quantity.get("unitCode") if quantity is not None else None,
        "unit_price": amount(text(line, "cac:Price/cbc:PriceAmount")),
        "amount": line_amount,
        "tax_rate": rate,
        "tax": _line_tax(line_amount, rate),
        "product_code": text(line, "cac:Item/cac:SellersItemIdentification/cbc:ID"),
        "date": None,
        "item_attributes": None,
        "allowances": allowances or None,
        "charges": charges or None,
    }


def _payment_details(root: Element) -> list[dict[str, object]]:
    details: list[dict[str, object]] = []
    for means in root.findall("cac:PaymentMeans", NS):
        account = text(means, "cac:PayeeFinancialAccount/cbc:ID")
        is_iban = account is not None and account[:2].isalpha() and account[2:4].isdigit()
        details.append(
            {
                "iban": account if is_iban else None,
                "swift": text(means, "cac:PayeeFinancialAccount/cac:FinancialInstitutionBranch/cbc:ID"),
                "payment_reference": text(means, "cbc:PaymentID"),
                "bank_account_number": None if is_iban else account,
            }
        )
    return details


def _attachments(root: Element) -> list[dict[str, object]]:
    attachments = []
    for reference in root.findall("cac:AdditionalDocumentReference", NS):
        embedded = reference.find("cac:Attachment/cbc:EmbeddedDocumentBinaryObject", NS)
        if embedded is None:
            continue
        try:
            size: int | None = len(base64.b64decode(embedded.text or ""))
        except (binascii.Error, ValueError):
            size = None
        attachments.append(
            {
                "id": text(reference, "cbc:ID"),
                "file_name": embedded.get("filename") or text(reference, "cbc:ID"),
                "file_size": size,
                "file_type": embedded.get("mimeCode"),
                "file_url": None,
            }
        )
    return attachments


def _tax_total(root: Element) -> Element | None:
    totals = root.findall("cac:TaxTotal", NS)
    with_subtotals = [total for total in totals if total.find("cac:TaxSubtotal", NS) is not None]
    return (with_subtotals or totals or [None])[0]


def _discount(total: str | None, subtotal: str | None, tax: str | None) -> str | None:
    # The SDK says invoice_total = subtotal + total_tax + total_discount: what is left is the discount.
    if total is None or subtotal is None or tax is None:
        return None
    return format((Decimal(total) - Decimal(subtotal) - Decimal(tax)).quantize(CENT), "f")


def document_fields(root: Element) -> dict[str, object]:
    """Every parsed field of a DocumentResponse (all but id, created_at, state and direction)."""
    kind = kind_of(root)
    type_code = text(root, "cbc:InvoiceTypeCode") or text(root, "cbc:CreditNoteTypeCode")
    supplier = root.find("cac:AccountingSupplierParty/cac:Party", NS)
    customer = root.find("cac:AccountingCustomerParty/cac:Party", NS)
    tax_total = _tax_total(root)
    subtotals = tax_total.findall("cac:TaxSubtotal", NS) if tax_total is not None else []
    first_category = subtotals[0].find("cac:TaxCategory", NS) if subtotals else None
    subtotal = amount(text(root, "cac:LegalMonetaryTotal/cbc:TaxExclusiveAmount"))
    total_tax = amount(text(tax_total, "cbc:TaxAmount"))
    invoice_total = amount(text(root, "cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount"))
    allowances, charges = _split_allowances(root)
    lines = root.findall("cac:InvoiceLine", NS) + root.findall("cac:CreditNoteLine", NS)
    return {
        "document_type": DOCUMENT_TYPES.get(type_code or "", "CREDIT_NOTE" if kind == "CreditNote" else "INVOICE"),
        "invoice_id": text(root, "cbc:ID"),
        "invoice_date": text(root, "cbc:IssueDate"),
        "due_date": text(root, "cbc:DueDate") or text(root, "cac:PaymentMeans/cbc:PaymentDueDate"),
        "currency": text(root, "cbc:DocumentCurrencyCode"),
        "subtotal": subtotal,
        "total_tax": total_tax,
        "invoice_total": invoice_total,
        "amount_due": amount(text(root, "cac:LegalMonetaryTotal/cbc:PayableAmount")),
        "total_discount": _discount(invoice_total, subtotal, total_tax),
        "tax_code": text(first_category, "cbc:ID"),
        "tax_details": [
            {"rate": amount(text(sub, "cac:TaxCategory/cbc:Percent")), "amount": amount(text(sub, "cbc:TaxAmount"))}
            for sub in subtotals
        ],
        "vatex": text(first_category, "cbc:TaxExemptionReasonCode"),
        "vatex_note": text(first_category, "cbc:TaxExemptionReason"),
        **_party(supplier, "vendor"),
        **_party(customer, "customer"),
        "customer_id": text(customer, "cac:PartyIdentification/cbc:ID"),
        "customer_peppol_id": peppol_id(customer.find("cbc:EndpointID", NS) if customer is not None else None),
        "purchase_order": text(root, "cac:OrderReference/cbc:ID"),
        "note": text(root, "cbc:Note"),
        "payment_term": text(root, "cac:PaymentTerms/cbc:Note"),
        "payment_details": _payment_details(root),
        "items": [_item(line) for line in lines],
        "allowances": allowances,
        "charges": charges,
        "attachments": _attachments(root),
        "billing_address": None,
        "billing_address_recipient": None,
        "shipping_address": _address(root.find("cac:Delivery/cac:DeliveryLocation/cac:Address", NS)),
        "shipping_address_recipient": text(root, "cac:Delivery/cac:DeliveryParty/cac:PartyName/cbc:Name"),
        "remittance_address": None,
        "remittance_address_recipient": None,
        "service_address": None,
        "service_address_recipient": None,
        "service_start_date": text(root, "cac:InvoicePeriod/cbc:StartDate"),
        "service_end_date": text(root, "cac:InvoicePeriod/cbc:EndDate"),
    }


def party_ids(root: Element) -> tuple[str | None, str | None]:
    """The (supplier, customer) EndpointIDs as `scheme:value`."""
    return (
        peppol_id(root.find("cac:AccountingSupplierParty/cac:Party/cbc:EndpointID", NS)),
        peppol_id(root.find("cac:AccountingCustomerParty/cac:Party/cbc:EndpointID", NS)),
    )
