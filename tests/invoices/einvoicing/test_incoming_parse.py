"""Reading a received BIS 3.0 invoice or credit note: every field a bill needs, as `Decimal`, and a
clear `UnreadableDocument` for anything else, whatever the bytes."""

from __future__ import annotations

import base64
import contextlib
import datetime
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from invoices.einvoicing.incoming import CREDIT_NOTE, INVOICE, UnreadableDocument, parse
from sandboxes.einvoice import sample

INVOICE_XML = sample("invoice-21-6")
CREDIT_NOTE_XML = sample("credit-note")
PDF = b"%PDF-1.4\n% a tiny stand-in\n%%EOF\n"


def with_pdf(xml: bytes, pdf: bytes = PDF) -> bytes:
    """The document with an embedded PDF, where BIS puts it (before the supplier party)."""
    reference = (
        "<cac:AdditionalDocumentReference><cbc:ID>DP-2026-0117</cbc:ID><cac:Attachment>"
        '<cbc:EmbeddedDocumentBinaryObject mimeCode="application/pdf" filename="DP-2026-0117.pdf">'
        f"{base64.b64encode(pdf).decode()}</cbc:EmbeddedDocumentBinaryObject>"
        "</cac:Attachment></cac:AdditionalDocumentReference>\n  <cac:AccountingSupplierParty>"
    )
    return xml.replace(b"<cac:AccountingSupplierParty>", reference.encode(), 1)


def test_an_invoice_gives_every_field_a_bill_needs():
    document = parse(INVOICE_XML)
    assert (document.document_type, document.type_code, document.number) == (INVOICE, "380", "DP-2026-0117")
    assert document.issue_date == datetime.date(2026, 2, 12)
    assert document.due_date is not None and document.due_date > document.issue_date
    assert document.currency == "EUR"
    assert document.supplier.name == "Drukkerij Peeters BV"
    assert document.supplier.vat_id == "BE0765432146"
    assert document.supplier.legal_id == "0765432146"
    assert document.supplier.endpoint == "0208:0765432146"
    assert document.receiver_endpoint == "0208:0477472701"
    assert document.payable_amount == Decimal("537.00")
    assert document.net_amount + document.vat_amount == document.payable_amount
    assert all(isinstance(amount, Decimal) for amount in (document.net_amount, document.vat_amount))
    assert document.payment_reference == "+++000/0026/11724+++"
    assert document.iban == "BE73735012345660"
    assert document.billing_reference == ""
    assert [(line.description, line.vat_category, line.vat_rate) for line in document.lines] == [
        ("Brochures A5, vierkleurendruk", "S", Decimal("21")),
        ("Jaarboek voor ondernemers 2026", "S", Decimal("6")),
    ]
    assert sum(line.net_amount for line in document.lines) == document.net_amount
    assert all(line.unit_price is not None and line.quantity > 0 for line in document.lines)
    assert document.pdf is None


def test_a_credit_note_keeps_positive_amounts_and_names_the_invoice_it_credits():
    document = parse(CREDIT_NOTE_XML)
    assert (document.document_type, document.type_code, document.is_credit_note) == (CREDIT_NOTE, "381", True)
    assert document.billing_reference == "DP-2026-0117"
    assert document.payable_amount > 0
    assert document.lines and all(line.quantity > 0 for line in document.lines)


def test_the_embedded_pdf_is_decoded():
    document = parse(with_pdf(INVOICE_XML))
    assert document.pdf is not None
    assert (document.pdf.filename, document.pdf.content) == ("DP-2026-0117.pdf", PDF)


@pytest.mark.parametrize(
    ("xml", "says"),
    [
        (b"", "not well-formed"),
        (b"<Invoice", "not well-formed"),
        (b"<Order xmlns='urn:x'/>", "not a UBL Invoice or CreditNote"),
        (INVOICE_XML.replace(b"<cbc:ID>DP-2026-0117</cbc:ID>", b"", 1), "no number"),
        (INVOICE_XML.replace(b"2026-02-12", b"12/02/2026", 1), "is not a date"),
        (INVOICE_XML.replace(b'EUR">537.00</cbc:PayableAmount>', b'EUR">5,37</cbc:PayableAmount>'), "is not a number"),
        (INVOICE_XML.replace(b'EUR">537.00</cbc:PayableAmount>', b'EUR">NaN</cbc:PayableAmount>'), "is not a number"),
        (INVOICE_XML.replace(b'EUR">537.00</cbc:PayableAmount>', b'EUR">1E+30</cbc:PayableAmount>'), "too large"),
        (
            INVOICE_XML.replace(b'EUR">537.00</cbc:PayableAmount>', b'EUR">100000000000000.00</cbc:PayableAmount>'),
            "too large",
        ),
        (INVOICE_XML.replace(b'EUR">537.00</cbc:PayableAmount>', b'EUR">537.001</cbc:PayableAmount>'), "2 decimals"),
        (INVOICE_XML.replace(b'">450.00</cbc:TaxExclusiveAmount>', b'">-1E+20</cbc:TaxExclusiveAmount>'), "too large"),
        (INVOICE_XML.replace(b"<cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>", b"", 1), "no currency"),
        (with_pdf(INVOICE_XML).replace(b"JVBER", b"J*BER", 1), "not valid base64"),
    ],
)
def test_what_cannot_be_read_says_why(xml: bytes, says: str):
    with pytest.raises(UnreadableDocument, match=says):
        parse(xml)


@pytest.mark.parametrize("amount", [b"99999999999999.99", b"-99999999999999.99", b"537.0000", b"5.37E+2"])
def test_the_largest_amount_we_store_is_read_exactly(amount: bytes):
    xml = INVOICE_XML.replace(b'EUR">537.00</cbc:PayableAmount>', b'EUR">' + amount + b"</cbc:PayableAmount>")
    assert parse(xml).payable_amount == Decimal(amount.decode())


def test_a_document_type_declaration_is_refused_and_no_entity_is_expanded():
    xxe = b'<?xml version="1.0"?>\n<!DOCTYPE Invoice [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n' + INVOICE_XML.split(
        b"?>", 1
    )[1].replace(b"DP-2026-0117", b"&x;", 1)
    with pytest.raises(UnreadableDocument, match="DOCTYPE"):
        parse(xxe)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_garbage_raises_our_clear_error_and_nothing_else(garbage: bytes):
    with contextlib.suppress(UnreadableDocument):
        parse(garbage)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from([INVOICE_XML, CREDIT_NOTE_XML]), st.data())
def test_a_truncated_document_raises_our_clear_error(xml: bytes, data: st.DataObject):
    whole = xml.rstrip()  # a cut anywhere before the root's closing ">"
    cut = data.draw(st.integers(min_value=0, max_value=len(whole) - 1))
    with pytest.raises(UnreadableDocument):
        parse(whole[:cut])


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_a_corrupted_document_parses_or_raises_our_clear_error(data: st.DataObject):
    xml = bytearray(INVOICE_XML)
    for _ in range(data.draw(st.integers(min_value=1, max_value=5))):
        xml[data.draw(st.integers(min_value=0, max_value=len(xml) - 1))] = data.draw(st.integers(0, 255))
    with contextlib.suppress(UnreadableDocument):
        parse(bytes(xml))
