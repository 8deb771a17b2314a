"""Reading a Peppol BIS Billing 3.0 invoice (380) or credit note (381) a supplier sent us
(reference peppol.md §1, §3.8): the fields a bill needs, as they stand in the document.

The XML comes from outside: it is parsed without a DTD, without entities and without the network,
and a document type declaration is refused outright (where XXE and "billion laughs" live). What
cannot be read, or lacks what every BIS document has (number, dates, currency, parties, totals),
raises `UnreadableDocument` with a sentence that says why; nothing else escapes `parse`. Amounts
are `Decimal` exactly as written: a credit note's amounts are positive, its type carries the sign.
The document's totals must fit what we store them in (at most 14 digits before the decimal point
and 2 after): a total that does not is refused here, never rounded or failed on save.
"""

from __future__ import annotations

import base64
import binascii
import datetime
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from lxml import etree

from invoices.einvoicing.ubl import CAC, CBC, ROOTS

INVOICE = "INVOICE"
CREDIT_NOTE = "CREDIT_NOTE"
DOCUMENT_TYPES = {f"{{{namespace}}}{name}": name for name, namespace in ROOTS.items()}
PDF = "application/pdf"
NAMESPACES = {"cac": CAC, "cbc": CBC}
# The stored amounts' bounds (max_digits=16, decimal_places=2 on ReceivedDocument and Bill).
MAX_AMOUNT = Decimal(10) ** 14
CENT = Decimal("0.01")


class UnreadableDocument(ValueError):
    """The bytes are not a BIS 3.0 invoice or credit note we can turn into a bill."""


@dataclass(frozen=True)
class Supplier:
    name: str
    vat_id: str  # with its country prefix (BT-31), "" when the document has none
    legal_id: str  # the register number (BT-30): KBO/BCE in Belgium, KvK in the Netherlands
    endpoint: str  # Peppol "scheme:id" (BT-34), "" when missing

    @property
    def key(self) -> str:
        """What identifies the supplier across its documents: register number, else VAT id."""
        return self.legal_id or self.vat_id or self.endpoint


@dataclass(frozen=True)
class Line:
    line_id: str
    description: str
    quantity: Decimal
    unit_code: str
    unit_price: Decimal | None
    net_amount: Decimal
    vat_category: str
    vat_rate: Decimal | None


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes


@dataclass(frozen=True)
class IncomingDocument:
    document_type: str  # INVOICE or CREDIT_NOTE
    type_code: str  # 380, 381, …
    number: str
    issue_date: datetime.date
    due_date: datetime.date | None
    currency: str
    supplier: Supplier
    receiver_endpoint: str  # Peppol "scheme:id" of the buyer: whose document it is
    net_amount: Decimal  # TaxExclusiveAmount
    vat_amount: Decimal
    payable_amount: Decimal
    payment_reference: str  # PaymentMeans/PaymentID: the OGM in Belgium
    iban: str
    billing_reference: str  # the invoice a credit note corrects, "" when none
    lines: tuple[Line, ...]
    pdf: Attachment | None

    @property
    def is_credit_note(self) -> bool:
        return self.document_type == CREDIT_NOTE


def parse(xml: bytes) -> IncomingDocument:
    """The document in `xml`; UnreadableDocument when it is not one we can read."""
    root = _root(xml)
    document_type = INVOICE if DOCUMENT_TYPES[root.tag] == "Invoice" else CREDIT_NOTE
    line_tag, quantity_tag = (
        ("cac:InvoiceLine", "cbc:InvoicedQuantity")
        if document_type == INVOICE
        else ("cac:CreditNoteLine", "cbc:CreditedQuantity")
    )
    supplier = root.find("cac:AccountingSupplierParty/cac:Party", NAMESPACES)
    if supplier is None:
        raise UnreadableDocument("The document names no supplier (AccountingSupplierParty).")
    receiver = _endpoint(root.find("cac:AccountingCustomerParty/cac:Party", NAMESPACES))
    if not receiver:
        raise UnreadableDocument("The document names no receiver Peppol id (AccountingCustomerParty/EndpointID).")
    totals = "cac:LegalMonetaryTotal/cbc:"
    return IncomingDocument(
        document_type=document_type,
        type_code=_text(root, "cbc:InvoiceTypeCode" if document_type == INVOICE else "cbc:CreditNoteTypeCode"),
        number=_required(root, "cbc:ID", "number"),
        issue_date=_required_date(root, "cbc:IssueDate"),
        due_date=_date(root, "cbc:DueDate") or _date(root, "cac:PaymentMeans/cbc:PaymentDueDate"),
        currency=_required(root, "cbc:DocumentCurrencyCode", "currency"),
        supplier=_supplier(supplier),
        receiver_endpoint=receiver,
        net_amount=_money(
            _amount(root, totals + "TaxExclusiveAmount") or _required_amount(root, totals + "LineExtensionAmount"),
            "TaxExclusiveAmount",
        ),
        vat_amount=_money(_amount(root, "cac:TaxTotal/cbc:TaxAmount") or Decimal("0.00"), "TaxAmount"),
        payable_amount=_money(_required_amount(root, totals + "PayableAmount"), "PayableAmount"),
        payment_reference=_text(root, "cac:PaymentMeans/cbc:PaymentID"),
        iban=_text(root, "cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:ID").replace(" ", "").upper(),
        billing_reference=_text(root, "cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID"),
        lines=tuple(_line(line, quantity_tag) for line in root.iterfind(line_tag, NAMESPACES)),
        pdf=_pdf(root),
    )


def _root(xml: bytes) -> etree._Element:
    if not isinstance(xml, bytes):
        raise UnreadableDocument("The document must be given as bytes.")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(xml, parser)
    except etree.XMLSyntaxError as exc:
        raise UnreadableDocument(f"The document is not well-formed XML: {exc.msg}") from None
    except (ValueError, TypeError) as exc:  # e.g. an encoding lxml cannot decode
        raise UnreadableDocument(f"The document cannot be read as XML: {exc}") from None
    if root is None:
        raise UnreadableDocument("The document is empty.")
    if root.getroottree().docinfo.doctype:
        raise UnreadableDocument("The document has a document type declaration (DOCTYPE), which UBL never needs.")
    if root.tag not in DOCUMENT_TYPES:
        raise UnreadableDocument(f"The root element {root.tag!s} is not a UBL Invoice or CreditNote.")
    return root


def _text(element: etree._Element | None, path: str) -> str:
    if element is None:
        return ""
    found = element.find(path, NAMESPACES)
    if found is None:
        return ""
    return " ".join("".join(found.itertext()).split())


def _required(element: etree._Element, path: str, what: str) -> str:
    value = _text(element, path)
    if not value:
        raise UnreadableDocument(f"The document has no {what} ({path.removeprefix('cbc:')}).")
    return value


def _date(element: etree._Element, path: str) -> datetime.date | None:
    value = _text(element, path)
    if not value:
        return None
    try:
        parsed = datetime.date.fromisoformat(value) if len(value) == 10 else None
    except ValueError:
        parsed = None
    if parsed is None:
        raise UnreadableDocument(f"{path.rsplit(':', 1)[-1]} {value[:40]!r} is not a date (YYYY-MM-DD).")
    return parsed


def _required_date(element: etree._Element, path: str) -> datetime.date:
    parsed = _date(element, path)
    if parsed is None:
        raise UnreadableDocument(f"The document has no {path.rsplit(':', 1)[-1]}.")
    return parsed


def _decimal(value: str, where: str) -> Decimal:
    try:
        number = Decimal(value)
    except (InvalidOperation, ValueError):
        raise UnreadableDocument(f"{where} {value[:40]!r} is not a number.") from None
    if not number.is_finite():
        raise UnreadableDocument(f"{where} {value[:40]!r} is not a number.")
    return number


def _money(amount: Decimal, where: str) -> Decimal:
    """`amount` when it can be stored exactly (see MAX_AMOUNT, CENT); UnreadableDocument if not."""
    if abs(amount) >= MAX_AMOUNT:
        raise UnreadableDocument(f"{where} {amount} is too large: at most 14 digits before the decimal point.")
    if amount != amount.quantize(CENT):
        raise UnreadableDocument(f"{where} {amount} has more than 2 decimals.")
    return amount


def _amount(element: etree._Element, path: str) -> Decimal | None:
    value = _text(element, path)
    return _decimal(value, path.rsplit(":", 1)[-1]) if value else None


def _required_amount(element: etree._Element, path: str) -> Decimal:
    found = _amount(element, path)
    if found is None:
        raise UnreadableDocument(f"The document has no {path.rsplit(':', 1)[-1]}.")
    return found


def _endpoint(party: etree._Element | None) -> str:
    if party is None:
        return ""
    endpoint = party.find("cbc:EndpointID", NAMESPACES)
    value = _text(party, "cbc:EndpointID")
    if endpoint is None or not value:
        return ""
    scheme = (endpoint.get("schemeID") or "").strip()
    return f"{scheme}:{value}" if scheme else value


def _supplier(party: etree._Element) -> Supplier:
    name = _text(party, "cac:PartyLegalEntity/cbc:RegistrationName") or _text(party, "cac:PartyName/cbc:Name")
    if not name:
        raise UnreadableDocument("The supplier has no name (RegistrationName or PartyName).")
    vat_id = ""
    for scheme in party.iterfind("cac:PartyTaxScheme", NAMESPACES):
        if _text(scheme, "cac:TaxScheme/cbc:ID").upper() == "VAT":
            vat_id = _text(scheme, "cbc:CompanyID").replace(" ", "").upper()
            break
    return Supplier(
        name=name,
        vat_id=vat_id,
        legal_id=_text(party, "cac:PartyLegalEntity/cbc:CompanyID").replace(" ", ""),
        endpoint=_endpoint(party),
    )


def _line(line: etree._Element, quantity_tag: str) -> Line:
    line_id = _text(line, "cbc:ID")
    where = f"line {line_id[:20]}"
    quantity = line.find(quantity_tag, NAMESPACES)
    net = _amount(line, "cbc:LineExtensionAmount")
    if net is None:
        raise UnreadableDocument(f"The {where} has no LineExtensionAmount.")
    rate = _text(line, "cac:Item/cac:ClassifiedTaxCategory/cbc:Percent")
    price = _text(line, "cac:Price/cbc:PriceAmount")
    return Line(
        line_id=line_id,
        description=_text(line, "cac:Item/cbc:Name") or _text(line, "cac:Item/cbc:Description"),
        quantity=_decimal(_text(line, quantity_tag) or "1", f"the quantity of {where}"),
        unit_code=(quantity.get("unitCode") or "") if quantity is not None else "",
        unit_price=_decimal(price, f"the price of {where}") if price else None,
        net_amount=net,
        vat_category=_text(line, "cac:Item/cac:ClassifiedTaxCategory/cbc:ID"),
        vat_rate=_decimal(rate, f"the VAT rate of {where}") if rate else None,
    )


def _pdf(root: etree._Element) -> Attachment | None:
    """The first embedded PDF (the supplier's human-readable copy), if the document carries one."""
    for reference in root.iterfind("cac:AdditionalDocumentReference", NAMESPACES):
        binary = reference.find("cac:Attachment/cbc:EmbeddedDocumentBinaryObject", NAMESPACES)
        if binary is None or (binary.get("mimeCode") or "").lower() != PDF:
            continue
        try:
            content = base64.b64decode("".join("".join(binary.itertext()).split()), validate=True)
        except (binascii.Error, ValueError):
            raise UnreadableDocument("The embedded PDF is not valid base64.") from None
        return Attachment(filename=binary.get("filename") or "document.pdf", content=content)
    return None
