"""Validating UBL: issues shaped like the access point's validation response (peppol.md §3.6).

The access point runs the full CEN and Peppol Schematron. The sandbox takes its validator as a
callable (`Validator`), so a test can plug in the same XSLs as the service; the default below
checks only what needs no rule files: well-formedness, the root element, the mandatory parts a
sender most often forgets, the Belgian enterprise number rule and three common warnings. Rule
ids, flags, messages, tests and locations are those of the BIS 3.0.16 Schematron (§2.5).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from sandboxes.einvoice import ubl
from sandboxes.einvoice.ubl import CAC, CBC, NS, Element

Issue = dict[str, object]
Validator = Callable[[bytes], list[Issue]]

CEN = "CEN-EN16931"
PEPPOL = "PEPPOL-EN16931"
KBO_FORMAT = re.compile(r"^[0-9]{10}$")
KBO_TEST = "matches(normalize-space(), '^[0-9]{10}$') and u:mod97-0208(normalize-space())"
KBO_MESSAGE = "Belgian enterprise number MUST be stated in the correct format."


def issue(
    rule_id: str | None,
    message: str,
    *,
    schematron: str,
    flag: str = "fatal",
    location: str | None = None,
    test: str | None = None,
) -> Issue:
    return {
        "message": message,
        "type": "error" if flag == "fatal" else "warning",
        "rule_id": rule_id,
        "flag": flag,
        "schematron": schematron,
        "location": location,
        "test": test,
    }


def is_fatal(found: Issue) -> bool:
    """A fatal issue stops the document from being sent; warnings do not."""
    return found.get("flag") == "fatal"


def location(element: Element) -> str:
    """The Schematron location with namespaces left out: `/Invoice[1]/AccountingCustomerParty[1]/…`."""
    steps = []
    while element is not None:
        parent = element.getparent()
        siblings = [element] if parent is None else [child for child in parent if child.tag == element.tag]
        steps.append(f"{ubl.local_name(element)}[{siblings.index(element) + 1}]")
        element = parent
    return "/" + "/".join(reversed(steps))


def kbo_is_valid(value: str) -> bool:
    """PEPPOL-COMMON-R043 as the Schematron words it: ten digits whose last two are 97 minus (first eight mod 97)."""
    value = " ".join(value.split())
    return bool(KBO_FORMAT.match(value)) and int(value[8:]) == 97 - int(value[:8]) % 97


def _belgian_identifiers(root: Element) -> list[Element]:
    """`cbc:EndpointID | cac:PartyIdentification/cbc:ID | cbc:CompanyID` with schemeID 0208."""
    found = []
    for element in root.iter(f"{{{CBC}}}EndpointID", f"{{{CBC}}}CompanyID", f"{{{CBC}}}ID"):
        parent = element.getparent()
        if element.tag == f"{{{CBC}}}ID" and (parent is None or parent.tag != f"{{{CAC}}}PartyIdentification"):
            continue
        if element.get("schemeID") == "0208":
            found.append(element)
    return found


def _cen_rules(root: Element) -> list[Issue]:
    here = location(root)
    issues = []
    if root.find("cac:TaxTotal/cac:TaxSubtotal", NS) is None:
        message = "[BR-CO-18]-An Invoice shall at least have one VAT breakdown group (BG-23)."
        issues.append(
            issue("BR-CO-18", message, schematron=CEN, location=here, test="exists(cac:TaxTotal/cac:TaxSubtotal)")
        )
    for rule_id, element in (("UBL-CR-005", "UUID"), ("UBL-CR-006", "IssueTime")):
        if root.find(f"cbc:{element}", NS) is not None:
            message = f"[{rule_id}]-A UBL invoice should not include the {element}"
            issues.append(
                issue(rule_id, message, schematron=CEN, flag="warning", location=here, test=f"not(cbc:{element})")
            )
    named = [element for element in root.iter() if element.get("name") is not None]
    if any(element.tag != f"{{{CBC}}}PaymentMeansCode" for element in named):
        test = "count(//@name) - count(//cbc:PaymentMeansCode/@name) <= 0"
        message = "[UBL-DT-18]-Name attribute should not be present"
        issues.append(issue("UBL-DT-18", message, schematron=CEN, flag="warning", location=here, test=test))
    return issues


def _peppol_rules(root: Element) -> list[Issue]:
    here = location(root)
    issues = []
    if root.find("cbc:BuyerReference", NS) is None and root.find("cac:OrderReference/cbc:ID", NS) is None:
        message = "A buyer reference or purchase order reference MUST be provided."
        test = "cbc:BuyerReference or cac:OrderReference/cbc:ID"
        issues.append(issue("PEPPOL-EN16931-R003", message, schematron=PEPPOL, location=here, test=test))
    if len([total for total in root.findall("cac:TaxTotal", NS) if total.find("cac:TaxSubtotal", NS) is not None]) != 1:
        message = "Only one tax total with tax subtotals MUST be provided."
        test = "count(cac:TaxTotal[cac:TaxSubtotal]) = 1"
        issues.append(issue("PEPPOL-EN16931-R053", message, schematron=PEPPOL, location=here, test=test))
    for rule_id, role, who in (
        ("R010", "AccountingCustomerParty", "Buyer"),
        ("R020", "AccountingSupplierParty", "Seller"),
    ):
        party = root.find(f"cac:{role}/cac:Party", NS)
        if party is None or party.find("cbc:EndpointID", NS) is None:
            message = f"{who} electronic address MUST be provided"
            at = location(party) if party is not None else here
            issues.append(
                issue(f"PEPPOL-EN16931-{rule_id}", message, schematron=PEPPOL, location=at, test="cbc:EndpointID")
            )
    for element in _belgian_identifiers(root):
        if not kbo_is_valid(element.text or ""):
            issues.append(
                issue("PEPPOL-COMMON-R043", KBO_MESSAGE, schematron=PEPPOL, location=location(element), test=KBO_TEST)
            )
    return issues


def default_validator(raw: bytes) -> list[Issue]:
    """The sandbox's own checks of a UBL document; an empty list when it finds nothing."""
    try:
        root = ubl.parse(raw)
    except ubl.UblError as error:
        # Not XML or not a UBL invoice: the schema step fails before any Schematron runs [I].
        return [issue("XSD", str(error), schematron="XSD")]
    return _cen_rules(root) + _peppol_rules(root)
