"""The `xmlDoc` of ProcessSalesInvoices: the SalesInvoices.xsd sequence, validated strictly, then read.

The document may come as child XML or as escaped text. Element order is the XSD sequence: an
element out of order, unknown, repeated, in another namespace, missing while required, or with a
value its type does not allow fails the whole call, with the message .NET's validator gives.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeTree

from sandboxes.yuki.formats import parse_boolean, parse_decimal, parse_int
from sandboxes.yuki.soap import elements, local_name, namespace_of

NS = "urn:xmlns:http://www.theyukicompany.com:salesinvoices"
XSI_NIL = "{http://www.w3.org/2001/XMLSchema-instance}nil"
_XSD_TYPES = {"boolean": "boolean", "date": "date", "decimal": "decimal", "int": "int"}


class SchemaError(Exception):
    pass


@dataclass(frozen=True, slots=True)
class Node:
    name: str
    kind: str = "string"  # string | boolean | date | decimal | int | complex
    required: bool = False
    many: bool = False
    children: tuple[Node, ...] = ()


def _leaves(*names: str) -> tuple[Node, ...]:
    return tuple(Node(name) for name in names)


PRODUCT = Node(
    "Product",
    "complex",
    True,
    children=(
        Node("Description", required=True),
        *_leaves("Reference", "Category"),
        Node("SalesPrice", "decimal", True),
        Node("VATPercentage", "decimal", True),
        Node("VATIncluded", "boolean", True),
        Node("VATType", "int", True),
        *_leaves("VATDescription", "GLAccountCode", "Remarks"),
    ),
)
INVOICE_LINE = Node(
    "InvoiceLine",
    "complex",
    True,
    True,
    (
        Node("Description", required=True),
        Node("Remarks"),
        Node("ProductQuantity", "decimal", True),
        PRODUCT,
        Node("AccrualDate", "date"),
        Node("AccrualPeriods", "int"),
    ),
)
CONTACT = Node(
    "Contact",
    "complex",
    True,
    children=(
        Node("ContactCode", required=True),
        *_leaves(
            "FullName",
            "FirstName",
            "MiddleName",
            "LastName",
            "Gender",
            "CountryCode",
            "City",
            "Zipcode",
            "AddressLine_1",
            "AddressLine_2",
            "EmailAddress",
            "Website",
            "CoCNumber",
            "VATNumber",
            "ContactType",
            "BankAccount",
            "PhoneHome",
            "MobileHome",
        ),
    ),
)
SALES_INVOICE = Node(
    "SalesInvoice",
    "complex",
    True,
    True,
    (
        *_leaves("Reference", "Subject", "PaymentMethod", "PaymentID"),
        Node("Process", "boolean", True),
        Node("EmailToCustomer", "boolean", True),
        Node("SentToPeppol", "boolean"),
        *_leaves("Layout", "Notes"),
        Node("Date", "date", True),
        Node("DueDate", "date"),
        *_leaves("PriceList", "Currency", "ProjectID", "ProjectCode", "Remarks"),
        CONTACT,
        Node("ContactPerson", "complex", children=_leaves("FirstName", "LastName", "Gender", "EmailAddress")),
        Node("InvoiceLines", "complex", True, children=(INVOICE_LINE,)),
    ),
)
SALES_INVOICES = Node("SalesInvoices", "complex", True, children=(SALES_INVOICE,))


# --- finding the document ------------------------------------------------------------------------------
def document_root(xml_doc: Element) -> Element:
    """The `<SalesInvoices>` element: the first child of `xmlDoc`, or its text parsed as XML."""
    children = elements(xml_doc)
    if children:
        root = children[0]
    else:
        text = (xml_doc.text or "").strip()
        if not text:
            raise SchemaError("Root element is missing.")
        if text.startswith("<?xml"):
            text = text.partition("?>")[2].strip()
        try:
            root = SafeTree.fromstring(text)
        except (ParseError, DefusedXmlException, ValueError) as error:
            raise SchemaError(f"Data at the root level is invalid. {error}") from error
    if local_name(root.tag) != SALES_INVOICES.name or namespace_of(root.tag) != NS:
        raise SchemaError(f"The '{_qualified(root.tag)}' element is not declared.")
    return root


def _qualified(tag: str) -> str:
    namespace = namespace_of(tag)
    return f"{namespace}:{local_name(tag)}" if namespace else local_name(tag)


# --- validation ------------------------------------------------------------------------------------------
def _expected(nodes: tuple[Node, ...], start: int) -> str:
    names = []
    for node in nodes[start:]:
        names.append(node.name)
        if node.required:
            break
    return f"List of possible elements expected: '{', '.join(names)}' in namespace '{NS}'."


def validate(element: Element, node: Node = SALES_INVOICES) -> None:
    if node.kind == "complex":
        _validate_children(element, node)
    else:
        _validate_value(element, node)


def _validate_children(element: Element, node: Node) -> None:
    where = f"The element '{node.name}' in namespace '{NS}'"
    if (element.text or "").strip():
        raise SchemaError(f"{where} cannot contain text. {_expected(node.children, 0)}")
    position, count = 0, 0
    for child in elements(element):
        name, known = local_name(child.tag), namespace_of(child.tag) == NS
        current = node.children[position] if position < len(node.children) else None
        if count and current is not None and current.many and known and current.name == name:
            count += 1
            validate(child, current)
            continue
        start = position + 1 if count else position
        for index in range(start, len(node.children)):
            candidate = node.children[index]
            if known and candidate.name == name:
                position, count = index, 1
                validate(child, candidate)
                break
            if candidate.required:
                raise SchemaError(
                    f"{where} has invalid child element '{_qualified(child.tag)}'. {_expected(node.children, start)}"
                )
        else:
            raise SchemaError(
                f"{where} has invalid child element '{_qualified(child.tag)}'. {_expected(node.children, start)}"
            )
    start = position + 1 if count else position
    if any(child.required for child in node.children[start:]):
        raise SchemaError(f"{where} has incomplete content. {_expected(node.children, start)}")


def _validate_value(element: Element, node: Node) -> None:
    if elements(element):
        raise SchemaError(f"The element '{node.name}' in namespace '{NS}' cannot contain child elements.")
    if element.get(XSI_NIL) in ("true", "1"):
        if node.required or (element.text or "").strip():
            raise SchemaError(f"The '{NS}:{node.name}' element is invalid - it cannot be nil.")
        return
    text = element.text or ""
    try:
        if node.kind == "boolean":
            parse_boolean(text)
        elif node.kind == "decimal":
            parse_decimal(text)
        elif node.kind == "int":
            parse_int(text)
        elif node.kind == "date":
            date.fromisoformat(text.strip())
    except ValueError as error:
        datatype = f"http://www.w3.org/2001/XMLSchema:{_XSD_TYPES[node.kind]}"
        raise SchemaError(
            f"The '{NS}:{node.name}' element is invalid - The value '{text}' is invalid according to its "
            f"datatype '{datatype}' - {error}"
        ) from error


# --- reading ------------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ProductDoc:
    description: str
    sales_price: Decimal
    vat_percentage: Decimal
    vat_included: bool
    vat_type: int
    gl_account: str


@dataclass(frozen=True, slots=True)
class LineDoc:
    description: str
    quantity: Decimal
    product: ProductDoc


@dataclass(frozen=True, slots=True)
class ContactDoc:
    code: str
    full_name: str
    country: str
    city: str
    zipcode: str
    address_line: str
    email: str
    vat_number: str
    coc_number: str
    contact_type: str
    bank_account: str
    phone: str


@dataclass(frozen=True, slots=True)
class InvoiceDoc:
    reference: str
    subject: str
    payment_method: str
    payment_id: str
    process: bool
    email_to_customer: bool
    invoice_date: date
    due: date | None
    project_code: str
    contact: ContactDoc
    lines: tuple[LineDoc, ...]


def _child(element: Element, name: str) -> Element | None:
    return element.find(f"{{{NS}}}{name}")


def _text(element: Element, name: str) -> str:
    child = _child(element, name)
    return "" if child is None or child.get(XSI_NIL) in ("true", "1") else (child.text or "").strip()


def _required(element: Element, name: str) -> Element:
    child = _child(element, name)
    if child is None:  # validation guarantees it
        raise SchemaError(f"'{name}' is missing")
    return child


def _contact(element: Element) -> ContactDoc:
    first, middle, last = (_text(element, name) for name in ("FirstName", "MiddleName", "LastName"))
    person = " ".join(part for part in (first, middle, last) if part)
    return ContactDoc(
        code=_text(element, "ContactCode"),
        full_name=_text(element, "FullName") or person,
        country=_text(element, "CountryCode").upper(),
        city=_text(element, "City"),
        zipcode=_text(element, "Zipcode"),
        address_line=_text(element, "AddressLine_1"),
        email=_text(element, "EmailAddress"),
        vat_number=_text(element, "VATNumber"),
        coc_number=_text(element, "CoCNumber"),
        contact_type=_text(element, "ContactType"),
        bank_account=_text(element, "BankAccount"),
        phone=_text(element, "PhoneHome") or _text(element, "MobileHome"),
    )


def _line(element: Element) -> LineDoc:
    product = _required(element, "Product")
    return LineDoc(
        description=_text(element, "Description"),
        quantity=parse_decimal(_text(element, "ProductQuantity")),
        product=ProductDoc(
            description=_text(product, "Description"),
            sales_price=parse_decimal(_text(product, "SalesPrice")),
            vat_percentage=parse_decimal(_text(product, "VATPercentage")),
            vat_included=parse_boolean(_text(product, "VATIncluded")),
            vat_type=parse_int(_text(product, "VATType")),
            gl_account=_text(product, "GLAccountCode"),
        ),
    )


def read_invoice(element: Element) -> InvoiceDoc:
    due = _text(element, "DueDate")
    lines = _required(element, "InvoiceLines")
    return InvoiceDoc(
        reference=_text(element, "Reference"),
        subject=_text(element, "Subject"),
        payment_method=_text(element, "PaymentMethod"),
        payment_id=_text(element, "PaymentID"),
        process=parse_boolean(_text(element, "Process")),
        email_to_customer=parse_boolean(_text(element, "EmailToCustomer")),
        invoice_date=date.fromisoformat(_text(element, "Date")),
        due=date.fromisoformat(due) if due else None,
        project_code=_text(element, "ProjectCode"),
        contact=_contact(_required(element, "Contact")),
        lines=tuple(_line(line) for line in elements(lines)),
    )


def read_document(xml_doc: Element) -> list[InvoiceDoc]:
    """Validate the document and read its invoices; SchemaError says what is wrong."""
    root = document_root(xml_doc)
    validate(root)
    return [read_invoice(invoice) for invoice in elements(root)]
