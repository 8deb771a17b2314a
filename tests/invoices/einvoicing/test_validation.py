"""A UBL document is checked as an access point will check it: the reference's invoice and credit
note pass the UBL schema and both rule sets, each common mistake is named by the rule that catches
it, input that is not a UBL document is refused without being read further, and the rules are
compiled once per process."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from lxml import etree

from invoices.einvoicing import validation
from invoices.einvoicing.validation import RULES_VERSION, Issue, ValidationResult, validate
from tests.subprocess_django import run_django

FIXTURES = Path(__file__).resolve().parent / "fixtures"
INVOICE = (FIXTURES / "invoice.xml").read_bytes()
CREDIT_NOTE = (FIXTURES / "credit_note.xml").read_bytes()
NS = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}


def changed(document: bytes, *replacements: tuple[str, str]) -> bytes:
    # Each change must apply exactly once, or a test could pass on an untouched document.
    text = document.decode()
    for old, new in replacements:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text.encode()


def set_text(parent: etree._Element, path: str, text: str) -> None:
    (element,) = parent.xpath(path, namespaces=NS)
    element.text = text


def fatal_rules(result: ValidationResult) -> set[str]:
    return {issue.rule_id for issue in result.fatal}


@pytest.mark.parametrize("document", [INVOICE, CREDIT_NOTE], ids=["invoice", "credit note"])
def test_reference_documents_are_valid(document: bytes) -> None:
    result = validate(document)

    assert result.valid
    assert result.issues == ()  # not even a warning


def test_tax_total_that_is_not_the_sum_of_the_subtotals_breaks_br_co_14() -> None:
    result = validate(
        changed(
            INVOICE,
            (
                '<cbc:TaxAmount currencyID="EUR">178.50</cbc:TaxAmount>',
                '<cbc:TaxAmount currencyID="EUR">178.49</cbc:TaxAmount>',
            ),
        )
    )

    assert not result.valid
    assert fatal_rules(result) == {"BR-CO-14"}
    (issue,) = result.fatal
    assert issue.rule_set == "CEN"
    assert issue.location == "/Invoice[1]/TaxTotal[1]"  # the Q{namespace} parts are gone
    assert issue.text.startswith("[BR-CO-14]-Invoice total VAT amount (BT-110)")


def test_missing_buyer_reference_breaks_peppol_r003() -> None:
    result = validate(changed(INVOICE, ("  <cbc:BuyerReference>PO-7781</cbc:BuyerReference>\n", "")))

    assert fatal_rules(result) == {"PEPPOL-EN16931-R003"}
    assert result.fatal[0].rule_set == "PEPPOL"


def test_customer_kbo_number_with_a_wrong_check_digit_breaks_peppol_common_r043() -> None:
    result = validate(
        changed(
            INVOICE,
            (
                '<cbc:EndpointID schemeID="0208">0700123432</cbc:EndpointID>',
                '<cbc:EndpointID schemeID="0208">0700123431</cbc:EndpointID>',
            ),
        )
    )

    assert fatal_rules(result) == {"PEPPOL-COMMON-R043"}
    assert result.fatal[0].location == "/Invoice[1]/AccountingCustomerParty[1]/Party[1]/EndpointID[1]"


def test_vat_number_without_country_prefix_breaks_br_co_09() -> None:
    result = validate(
        changed(INVOICE, ("<cbc:CompanyID>BE0477472701</cbc:CompanyID>", "<cbc:CompanyID>0477472701</cbc:CompanyID>"))
    )

    assert fatal_rules(result) == {"BR-CO-09"}


def test_empty_element_breaks_peppol_r008() -> None:
    result = validate(
        changed(
            INVOICE,
            (
                "<cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode>",
                "<cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode>\n  <cbc:Note></cbc:Note>",
            ),
        )
    )

    assert fatal_rules(result) == {"PEPPOL-EN16931-R008"}
    assert result.fatal[0].location == "/Invoice[1]/Note[1]"


def test_element_out_of_order_fails_the_schema_and_stops_there() -> None:
    result = validate(
        changed(
            INVOICE,
            ("  <cbc:BuyerReference>PO-7781</cbc:BuyerReference>\n", ""),
            (
                "  <cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>\n",
                "  <cbc:BuyerReference>PO-7781</cbc:BuyerReference>\n"
                "  <cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>\n",
            ),
        )
    )

    assert not result.valid
    assert {(issue.rule_id, issue.rule_set) for issue in result.issues} == {("XSD", "XSD")}  # no schematron
    (issue,) = result.issues
    assert issue.location == "line 12"  # where DocumentCurrencyCode now stands
    assert issue.text.startswith("Element 'DocumentCurrencyCode': This element is not expected.")


def with_exempt_second_line(reason: str | None) -> bytes:
    # The 6 % line becomes exempt (E, 0 %), and its VAT breakdown and the totals follow, so the
    # exemption reason (BT-120) is all that can be missing.
    root = etree.fromstring(INVOICE)
    for category in root.xpath("//*[cbc:ID = 'S' and cbc:Percent = 6]", namespaces=NS):
        set_text(category, "cbc:ID", "E")
        set_text(category, "cbc:Percent", "0")
        if reason is not None and category.tag == f"{{{NS['cac']}}}TaxCategory":
            category.find("cbc:Percent", NS).addnext(etree.Element(f"{{{NS['cbc']}}}TaxExemptionReason"))
            set_text(category, "cbc:TaxExemptionReason", reason)
    set_text(root, "cac:TaxTotal/cac:TaxSubtotal[cac:TaxCategory/cbc:ID = 'E']/cbc:TaxAmount", "0.00")
    set_text(root, "cac:TaxTotal/cbc:TaxAmount", "178.50")
    set_text(root, "cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount", "1088.50")
    set_text(root, "cac:LegalMonetaryTotal/cbc:PayableAmount", "1088.50")
    return bytes(etree.tostring(root))


def test_exempt_line_without_exemption_reason_breaks_br_e_10() -> None:
    result = validate(with_exempt_second_line(reason=None))

    assert fatal_rules(result) == {"BR-E-10"}
    assert result.fatal[0].location == "/Invoice[1]/TaxTotal[1]/TaxSubtotal[2]/TaxCategory[1]"


def test_exempt_line_with_an_exemption_reason_is_valid() -> None:
    assert validate(with_exempt_second_line(reason="Vrijgesteld, art. 44 WBTW")).valid


XXE = b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE Invoice [<!ENTITY secret SYSTEM "file:///etc/passwd">]>\n'
BILLION_LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE Invoice [<!ENTITY lol "lol">'
    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>\n'
)


@pytest.mark.parametrize(
    ("prolog", "entity"), [(XXE, "&secret;"), (BILLION_LAUGHS, "&lol3;")], ids=["external entity", "entity expansion"]
)
def test_document_with_a_doctype_is_refused_unread(prolog: bytes, entity: str) -> None:
    document = prolog + changed(
        INVOICE,
        ('<?xml version="1.0" encoding="UTF-8"?>\n', ""),
        ("<cbc:BuyerReference>PO-7781<", f"<cbc:BuyerReference>{entity}<"),
    )

    result = validate(document)

    assert [(issue.rule_id, issue.flag) for issue in result.issues] == [("XML", "fatal")]
    assert "DOCTYPE" in result.issues[0].text
    assert "root:" not in result.issues[0].text and "lollol" not in result.issues[0].text


@pytest.mark.parametrize(
    "document",
    [b"", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", b"<Invoice>", INVOICE[:-40]],
    ids=["empty", "a PDF", "unclosed element", "truncated invoice"],
)
def test_bytes_that_are_not_xml_are_refused(document: bytes) -> None:
    result = validate(document)

    assert [(issue.rule_id, issue.flag) for issue in result.issues] == [("XML", "fatal")]
    assert result.issues[0].text.startswith("Not well-formed XML:")
    assert not result.valid


@pytest.mark.parametrize(
    "document",
    [
        b'<Order xmlns="urn:oasis:names:specification:ubl:schema:xsd:Order-2"/>',
        changed(
            INVOICE, ('xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"', 'xmlns="urn:example:Invoice"')
        ),
    ],
    ids=["UBL order", "invoice in another namespace"],
)
def test_document_that_is_neither_invoice_nor_credit_note_is_refused(document: bytes) -> None:
    result = validate(document)

    assert [(issue.rule_id, issue.flag) for issue in result.issues] == [("XML", "fatal")]
    assert "not a UBL Invoice or CreditNote" in result.issues[0].text


@pytest.mark.parametrize(
    "document",
    [
        INVOICE,
        changed(INVOICE, ("  <cbc:BuyerReference>PO-7781</cbc:BuyerReference>\n", "")),
        changed(INVOICE, ("<cbc:IssueDate>2026-02-10</cbc:IssueDate>", "<cbc:IssueDate>10/02/2026</cbc:IssueDate>")),
        b"not xml",
    ],
    ids=["valid", "rule broken", "schema broken", "not XML"],
)
def test_every_result_records_the_rules_it_was_checked_against(document: bytes) -> None:
    assert validate(document).rules_version == RULES_VERSION
    assert "3.0.16" in RULES_VERSION


def test_warning_is_reported_but_does_not_make_the_document_invalid() -> None:
    result = validate(
        changed(
            INVOICE,
            ("  <cbc:CustomizationID>", "  <cbc:UBLVersionID>2.2</cbc:UBLVersionID>\n  <cbc:CustomizationID>"),
        )
    )

    assert result.valid
    assert result.fatal == ()
    assert [(issue.rule_id, issue.flag, issue.rule_set) for issue in result.warnings] == [
        ("UBL-CR-002", "warning", "CEN")
    ]
    assert result.issues == result.warnings


def test_validating_twice_compiles_once() -> None:
    validation.warm_up()
    rules = validation.compiled_rules()
    schemas, stylesheets = dict(rules.schemas), dict(rules.stylesheets)

    validate(INVOICE)
    validate(CREDIT_NOTE)
    validation.warm_up()

    again = validation.compiled_rules()
    assert again is rules
    assert all(again.schemas[kind] is schema for kind, schema in schemas.items())
    assert all(again.stylesheets[name] is stylesheet for name, stylesheet in stylesheets.items())


def test_rules_are_compiled_on_first_use_not_on_import_and_once_for_concurrent_callers() -> None:
    # A fresh process: Django imports this module everywhere, and only the first validation may
    # start the XSLT processor, once, however many threads ask at the same time.
    outcome = run_django(
        """
import threading
from invoices.einvoicing import validation
assert validation._compiled is None, "compiled at import"
document = open("tests/invoices/einvoicing/fixtures/invoice.xml", "rb").read()
start = threading.Barrier(4)
seen = []
def check():
    start.wait()
    result = validation.validate(document)
    seen.append((result.valid, id(validation.compiled_rules())))
threads = [threading.Thread(target=check) for _ in range(4)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(sorted(set(seen)) == [(True, id(validation.compiled_rules()))], len(seen))
""",
        DEBUG="1",
    )

    assert outcome.returncode == 0, outcome.stderr
    assert outcome.stdout.split() == ["True", "4"]


def test_concurrent_validations_each_get_their_own_findings() -> None:
    documents = {
        "valid": INVOICE,
        "R003": changed(INVOICE, ("  <cbc:BuyerReference>PO-7781</cbc:BuyerReference>\n", "")),
        "XSD": changed(
            INVOICE, ("<cbc:IssueDate>2026-02-10</cbc:IssueDate>", "<cbc:IssueDate>10/02/2026</cbc:IssueDate>")
        ),
        "credit note": CREDIT_NOTE,
    }
    expected = {"valid": set(), "R003": {"PEPPOL-EN16931-R003"}, "XSD": {"XSD"}, "credit note": set()}
    found: dict[str, list[set[str]]] = {name: [] for name in documents}

    def check(name: str) -> None:
        for _ in range(5):
            found[name].append(fatal_rules(validate(documents[name])))

    threads = [threading.Thread(target=check, args=(name,)) for name in documents]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert found == {name: [rules] * 5 for name, rules in expected.items()}


def test_an_issue_reads_without_its_rule_id_repeated():
    issue = Issue("BR-S-02", "fatal", "/Invoice[1]", "[BR-S-02]-An Invoice that contains ...", "CEN")
    plain = Issue("PEPPOL-EN16931-R010", "fatal", "/Invoice[1]", "Buyer electronic address MUST be provided", "PEPPOL")

    assert issue.message == "An Invoice that contains ..."
    assert plain.message == "Buyer electronic address MUST be provided"
