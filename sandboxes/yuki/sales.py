"""Sales.asmx: ProcessSalesInvoices (note `sessionId`/`administrationId`), reference §4.

A document that fails the XSD rejects the whole call (a fault). Otherwise each invoice is
checked and booked on its own; business errors come back as `Succeeded=false` with a message,
and after 6 incorrect invoices the rest are skipped. With `Process=true` the invoice is booked
(an open debtor item of type 6 with the gross amount, `VF-0001`… unless a Reference is given);
with `Process=false` it stays an unnumbered draft, not an open item [U]. Nothing is idempotent:
sending an invoice twice books it twice, as Yuki does.

The `SalesInvoicesImportResponse` comes back as child XML or as escaped text, alternately by
default (`child`, `text` or `alternate`; see the control API).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from sandboxes.kit.references import structured_reference
from sandboxes.yuki.books import PAYMENT_TERM_DAYS, Amount, Books, Invoice
from sandboxes.yuki.formats import CENT, flag, local, local_day, money, plain_number, to_cents, xml_date
from sandboxes.yuki.markup import els, esc
from sandboxes.yuki.operations import Call, Operation, Param
from sandboxes.yuki.records import Administration, Contact, Domain, OpenItem
from sandboxes.yuki.salesdoc import ContactDoc, InvoiceDoc, SchemaError, read_document
from sandboxes.yuki.soap import server_fault

RESPONSE_NS = "urn:xmlns:http://www.theyukicompany.com:salesinvoicesresponse"
MAX_INCORRECT = 6
STYLES = ("alternate", "child", "text")
PAYMENT_METHODS = {
    "": "Overschrijving",
    "ElectronicTransfer": "Overschrijving",
    "DirectCollection": "Domiciliëring",
    "Cash": "Contant",
    "DebitCard": "Bancontact",
    "CreditCard": "Kredietkaart",
}
LIMIT = Decimal(10) ** 10


@dataclass(frozen=True, slots=True)
class Outcome:
    doc: InvoiceDoc
    succeeded: bool
    processed: bool = False
    reference: str = ""
    contact: str = ""
    message: str = ""
    item: OpenItem | None = None
    skipped: bool = False

    @property
    def email_sent(self) -> bool:
        return self.processed and self.doc.email_to_customer


def _decimals(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def _problem(admin: Administration, doc: InvoiceDoc) -> str | None:
    """The first business error of an invoice's lines, as Yuki reports it [U: texts but the VAT one]."""
    chart = admin.ledger.chart
    for line in doc.lines:
        product = line.product
        if chart.vat(product.vat_percentage, product.vat_type) is None:
            return f"No tax code for VATPercentage {plain_number(product.vat_percentage)} & VATType {product.vat_type}"
        if _decimals(product.sales_price) > 2:
            return f"The sales price {product.sales_price} of '{product.description}' has more than 2 decimals"
        if _decimals(line.quantity) > 4:
            return f"The quantity {line.quantity} of '{line.description}' has more than 4 decimals"
        if abs(product.sales_price) >= LIMIT or abs(product.sales_price * line.quantity) >= LIMIT:
            return f"The amount of '{line.description}' has more than 10 digits before the decimal point"
        if product.gl_account and chart.account(product.gl_account) is None:
            return f"GL account {product.gl_account} does not exist in this administration"
    return None


def _contact(domain: Domain, wanted: ContactDoc, call: Call) -> Contact | str:
    """The contact by code, else by name and address, else a new one; a string says why not."""
    found = domain.contact_by_code(wanted.code)
    if found is None and wanted.full_name:
        name = wanted.full_name.lower()
        address = {wanted.address_line.lower(), wanted.zipcode.lower()} - {""}
        found = next(
            (
                c
                for c in domain.contacts
                if c.name.lower() == name and (not address or address & {c.address_line.lower(), c.postcode.lower()})
            ),
            None,
        )
    if found is not None:
        return found
    if not wanted.full_name:
        return "A new contact needs a name (FullName or FirstName/LastName)"
    if not wanted.country:
        return f"Contact '{wanted.full_name}' could not be created: CountryCode is required for a new contact"
    contact = Contact(
        id=str(uuid.uuid4()),
        hid=len(domain.contacts) + 1,
        code=wanted.code,
        name=wanted.full_name,
        type="Person" if wanted.contact_type.lower() == "person" else "Company",
        address_line=wanted.address_line,
        postcode=wanted.zipcode,
        city=wanted.city,
        country=wanted.country,
        vat_number=wanted.vat_number,
        coc_number=wanted.coc_number,
        email=wanted.email,
        phone=wanted.phone,
        website="",
        iban=wanted.bank_account,
        is_customer=True,
        is_supplier=False,
        created=call.now,
        modified=call.now,
        tags="Klant",
    )
    domain.contacts.append(contact)
    return contact


def _amounts(admin: Administration, doc: InvoiceDoc) -> list[Amount]:
    chart, projects = admin.ledger.chart, admin.ledger.projects
    project = next((p for p in projects if doc.project_code and p.code == doc.project_code), None)
    amounts = []
    for line in doc.lines:
        product = line.product
        vat = chart.vat(product.vat_percentage, product.vat_type)
        assert vat is not None  # checked by _problem
        total = (line.quantity * product.sales_price).quantize(CENT, rounding=ROUND_HALF_UP)
        rate = product.vat_percentage
        if product.vat_included:
            net = (total * 100 / (100 + rate)).quantize(CENT, rounding=ROUND_HALF_UP)
            tax = total - net
        else:
            net, tax = total, (total * rate / 100).quantize(CENT, rounding=ROUND_HALF_UP)
        text = line.description or product.description
        amounts.append(Amount(to_cents(net), vat, product.gl_account or None, project, text, to_cents(tax)))
    return amounts


def _book(call: Call, admin: Administration, doc: InvoiceDoc) -> Outcome:
    problem = _problem(admin, doc)
    if problem is not None:
        return Outcome(doc, False, message=problem)
    contact = _contact(call.sandbox.domain(admin.domain_id), doc.contact, call)
    if isinstance(contact, str):
        return Outcome(doc, False, contact=doc.contact.full_name, message=contact)
    if not doc.process:
        return Outcome(doc, True, reference=doc.reference, contact=contact.name)
    admin.invoice_counter += 1
    reference = doc.reference or f"VF-{admin.invoice_counter:04d}"
    base = doc.invoice_date.year * 1_000_000 + 900_000 + admin.invoice_counter % 100_000
    invoice = Invoice(
        reference=reference,
        day=doc.invoice_date,
        due=doc.due or doc.invoice_date + timedelta(days=PAYMENT_TERM_DAYS),
        contact=contact,
        description=doc.subject or f"Factuur {reference}",
        amounts=_amounts(admin, doc),
        created=call.now,
        payment_reference=doc.payment_id or structured_reference(base),
        payment_method=PAYMENT_METHODS.get(doc.payment_method, doc.payment_method),
    )
    item = Books(admin.ledger).sales_invoice(invoice)
    return Outcome(doc, True, processed=True, reference=reference, contact=contact.name, item=item)


def _response(call: Call, admin: Administration, outcomes: list[Outcome]) -> str:
    succeeded = sum(1 for o in outcomes if o.succeeded)
    skipped = sum(1 for o in outcomes if o.skipped)
    totals = (
        ("TimeStamp", xml_date(local_day(call.now))),
        ("AdministrationId", admin.id),
        ("TotalSucceeded", str(succeeded)),
        ("TotalFailed", str(len(outcomes) - succeeded - skipped)),
        ("TotalSkipped", str(skipped)),
    )
    parts = [f'<{name} xmlns="">{esc(value)}</{name}>' for name, value in totals]
    for o in outcomes:
        fields = els(
            (
                ("Succeeded", flag(o.succeeded)),
                ("Processed", flag(o.processed)),
                ("EmailSent", flag(o.email_sent)),
                ("Reference", o.reference),
                ("Subject", o.doc.subject),
                ("Contact", o.contact),
                ("Message", o.message),
            )
        )
        parts.append(f'<Invoice xmlns="">{fields}</Invoice>')
    return f'<SalesInvoicesImportResponse xmlns="{RESPONSE_NS}">{"".join(parts)}</SalesInvoicesImportResponse>'


def process_sales_invoices(call: Call) -> str:
    admin = call.administration("administrationId")
    try:
        docs = read_document(call.xml("xmlDoc"))
    except SchemaError as error:
        raise server_fault(str(error)) from error
    outcomes: list[Outcome] = []
    for doc in docs:
        if sum(1 for o in outcomes if not o.succeeded and not o.skipped) >= MAX_INCORRECT:
            message = f"Skipped: the import stops after {MAX_INCORRECT} incorrect invoices"
            outcomes.append(Outcome(doc, False, message=message, skipped=True))
        else:
            outcomes.append(_book(call, admin, doc))
    response = _response(call, admin, outcomes)
    style = call.sandbox.sales_response_style_now()
    for outcome in outcomes:
        call.sandbox.sales_log.append(_logged(call, admin, outcome, style))
    return response if style == "child" else esc(response)


def _logged(call: Call, admin: Administration, outcome: Outcome, style: str) -> dict[str, object]:
    item = outcome.item
    return {
        "at": f"{local(call.now):%Y-%m-%dT%H:%M:%S}",
        "administrationId": admin.id,
        "reference": outcome.reference,
        "subject": outcome.doc.subject,
        "contact": outcome.contact,
        "succeeded": outcome.succeeded,
        "processed": outcome.processed,
        "skipped": outcome.skipped,
        "message": outcome.message,
        "itemId": admin.ledger.item_id(item) if item else None,
        "grossAmount": money(item.original_cents) if item else None,
        "responseStyle": style,
    }


OPERATIONS = (
    Operation(
        "ProcessSalesInvoices",
        process_sales_invoices,
        (Param("administrationId"), Param("xmlDoc", "xml")),
        session="sessionId",
    ),
)
