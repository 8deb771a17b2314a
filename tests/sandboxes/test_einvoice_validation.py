"""The e-invoice.be simulator's own validator and its XML safety: rule ids, flags and locations as the
BIS 3.0 Schematron reports them (peppol.md §2.5, §3.6), PEPPOL-COMMON-R043, and documents that
try to make the parser read files or expand entities.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from sandboxes.einvoice import DEFAULT_API_KEY, INCOMING, PREFIX, SALES_INVOICE, EInvoiceSandbox, sample, serve
from sandboxes.einvoice.validation import default_validator, kbo_is_valid

NOW = datetime(2026, 3, 16, 9, 30, tzinfo=UTC)
SALES = sample(SALES_INVOICE)


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    server, base_url = serve(EInvoiceSandbox(seed=2026, now=lambda: NOW))
    headers = {"Authorization": f"Bearer {DEFAULT_API_KEY}"}
    with httpx.Client(base_url=f"{base_url}{PREFIX}", headers=headers, timeout=5) as client:
        yield client
    server.shutdown()


def without(xml: bytes, *patterns: str) -> bytes:
    """The document with every element matching one of the patterns cut out."""
    text = xml.decode()
    for pattern in patterns:
        text = re.sub(pattern, "", text, flags=re.DOTALL)
    return text.encode()


def found(xml: bytes) -> set[tuple[object, object, object]]:
    return {(issue["rule_id"], issue["flag"], issue["location"]) for issue in default_validator(xml)}


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("0477472701", True),
        ("0700123432", True),
        ("0700123431", False),  # check digits off by one
        ("477472701", False),  # nine digits: the rule wants exactly ten
        ("BE0477472701", False),  # a VAT number is not an enterprise number
        (" 0477472701 ", True),  # normalize-space()
    ],
)
def test_the_enterprise_number_rule_is_format_and_mod_97(value: str, valid: bool):
    assert kbo_is_valid(value) is valid


@pytest.mark.parametrize("name", [SALES_INVOICE, *[name for name in INCOMING if name != "with-warnings"]])
def test_the_reference_invoice_and_the_samples_pass(name: str):
    assert default_validator(sample(name)) == []


def test_the_sample_with_warnings_has_two_warnings_and_nothing_fatal():
    assert found(sample("with-warnings")) == {
        ("UBL-CR-005", "warning", "/Invoice[1]"),
        ("UBL-CR-006", "warning", "/Invoice[1]"),
    }
    assert {issue["type"] for issue in default_validator(sample("with-warnings"))} == {"warning"}


def test_missing_mandatory_parts_are_named_as_the_schematron_names_them():
    # The BIS 3.0.16 rules report these (and BR-CO-15/BR-S-01, which need arithmetic) for this file.
    broken = without(
        SALES,
        r"\s*<cbc:BuyerReference>.*?</cbc:BuyerReference>",
        r'\s*<cbc:EndpointID schemeID="0208">0700123432</cbc:EndpointID>',
        r"\s*<cac:TaxTotal>.*?</cac:TaxTotal>",
    )
    assert found(broken) == {
        ("PEPPOL-EN16931-R003", "fatal", "/Invoice[1]"),
        ("PEPPOL-EN16931-R053", "fatal", "/Invoice[1]"),
        ("BR-CO-18", "fatal", "/Invoice[1]"),
        ("PEPPOL-EN16931-R010", "fatal", "/Invoice[1]/AccountingCustomerParty[1]/Party[1]"),
    }
    r003 = next(issue for issue in default_validator(broken) if issue["rule_id"] == "PEPPOL-EN16931-R003")
    assert r003 == {
        "message": "A buyer reference or purchase order reference MUST be provided.",
        "type": "error",
        "rule_id": "PEPPOL-EN16931-R003",
        "flag": "fatal",
        "schematron": "PEPPOL-EN16931",
        "location": "/Invoice[1]",
        "test": "cbc:BuyerReference or cac:OrderReference/cbc:ID",
    }


def test_an_order_reference_stands_in_for_the_buyer_reference_and_the_seller_needs_an_endpoint():
    ordered = SALES.replace(b"<cbc:BuyerReference>PO-7781</cbc:BuyerReference>", b"")
    ordered = ordered.replace(
        b"<cac:AccountingSupplierParty>",
        b"<cac:OrderReference><cbc:ID>PO-7781</cbc:ID></cac:OrderReference><cac:AccountingSupplierParty>",
    )
    assert found(ordered) == set()
    no_seller_endpoint = without(SALES, r'\s*<cbc:EndpointID schemeID="0208">0477472701</cbc:EndpointID>')
    assert found(no_seller_endpoint) == {
        ("PEPPOL-EN16931-R020", "fatal", "/Invoice[1]/AccountingSupplierParty[1]/Party[1]"),
    }


def test_every_belgian_identifier_is_checked_where_it_is_in_a_credit_note():
    broken = sample("credit-note").replace(b"0765432146", b"0765432147")
    broken = broken.replace(
        b"<cac:PartyName><cbc:Name>Drukkerij Peeters",
        b'<cac:PartyIdentification><cbc:ID schemeID="0208">123</cbc:ID></cac:PartyIdentification>'
        b"<cac:PartyName><cbc:Name>Drukkerij Peeters",
    )
    party = "/CreditNote[1]/AccountingSupplierParty[1]/Party[1]"
    assert found(broken) == {
        ("PEPPOL-COMMON-R043", "fatal", f"{party}/EndpointID[1]"),
        ("PEPPOL-COMMON-R043", "fatal", f"{party}/PartyIdentification[1]/ID[1]"),
        ("PEPPOL-COMMON-R043", "fatal", f"{party}/PartyLegalEntity[1]/CompanyID[1]"),
    }


def test_a_name_attribute_outside_payment_means_is_a_warning():
    named = SALES.replace(
        b'<cbc:InvoicedQuantity unitCode="HUR">', b'<cbc:InvoicedQuantity unitCode="HUR" name="uren">'
    )
    assert found(named) == {("UBL-DT-18", "warning", "/Invoice[1]")}


@pytest.mark.parametrize("content", [b"", b"<Invoice>", b'{"invoice": 1}', b"<Order/>"])
def test_what_is_not_a_ubl_document_is_one_fatal_issue(content: bytes):
    (issue,) = default_validator(content)
    assert (issue["flag"], issue["type"], issue["rule_id"]) == ("fatal", "error", "XSD")


def test_validating_reports_warnings_without_failing_the_document(http: httpx.Client):
    answer = http.post("/api/validate/ubl", files={"file": ("bill.xml", sample("with-warnings"))}).json()
    assert answer["is_valid"] is True and answer["file_name"] == "bill.xml" and answer["id"]
    assert sorted((issue["rule_id"], issue["type"]) for issue in answer["issues"]) == [
        ("UBL-CR-005", "warning"),
        ("UBL-CR-006", "warning"),
    ]
    broken = http.post("/api/validate/ubl", files={"file": ("bill.xml", b"<Invoice>")}).json()
    assert broken["is_valid"] is False
    assert http.get("/api/outbox/drafts").json()["total"] == 0  # validating stores nothing


def test_an_external_entity_is_never_read(http: httpx.Client, tmp_path: Path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    doctype = f'<!DOCTYPE Invoice [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>'
    declaration = b'<?xml version="1.0" encoding="UTF-8"?>'
    hostile = SALES.replace(declaration, declaration + b"\n" + doctype.encode())
    hostile = hostile.replace(b"<cbc:ID>2026-0042</cbc:ID>", b"<cbc:ID>&xxe;</cbc:ID>")
    upload = http.post("/api/documents/ubl", files={"file": ("invoice.xml", hostile)})
    assert upload.status_code == 422 and "DOCTYPE" in upload.json()["detail"]
    checked = http.post("/api/validate/ubl", files={"file": ("invoice.xml", hostile)})
    assert checked.json()["is_valid"] is False
    assert "TOP-SECRET" not in upload.text + checked.text


def test_entity_expansion_bombs_are_refused_at_once(http: httpx.Client):
    levels = ['<!ENTITY a0 "lol">'] + [f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, 10)]
    root = '<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2">&a9;</Invoice>'
    bomb = f'<?xml version="1.0"?><!DOCTYPE Invoice [{"".join(levels)}]>{root}'.encode()
    response = http.post("/api/documents/ubl", files={"file": ("invoice.xml", bomb)}, timeout=5)
    assert response.status_code == 422  # libxml2's amplification guard or the DOCTYPE refusal, either is fine
    assert response.elapsed.total_seconds() < 2
    assert http.get("/api/outbox/drafts").json()["total"] == 0
