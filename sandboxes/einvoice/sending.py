"""Sending over the simulated Peppol network: whom a document goes to, and how its delivery ends.

The reference (§3.2) quotes the SDK: "By default, the sender and receiver Peppol IDs are derived
from the company (tax) IDs in the document, regardless of whether the document was created from
a UBL with a different endpoint ID". So without explicit query parameters the receiver comes from
the customer's legal company id (or VAT number), never from its EndpointID.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sandboxes.einvoice.documents import Document
from sandboxes.einvoice.participants import TYPE_OF_ROOT, Registry
from sandboxes.einvoice.ubl import NS, Element, text
from sandboxes.einvoice.validation import Issue

KBO = re.compile(r"^[0-9]{10}$")
KVK = re.compile(r"^[0-9]{8}$")
BELGIAN_VAT = re.compile(r"^BE([0-9]{10})$")
DUTCH_VAT = re.compile(r"^NL[0-9]{9}B[0-9]{2}$")


def _from_company_ids(party: Element | None) -> str | None:
    if party is None:
        return None
    legal = party.find("cac:PartyLegalEntity/cbc:CompanyID", NS)
    company_id = text(party, "cac:PartyLegalEntity/cbc:CompanyID")
    if legal is not None and company_id:
        scheme = legal.get("schemeID")
        if scheme:
            return f"{scheme}:{company_id}"
        if KBO.match(company_id):
            return f"0208:{company_id}"
        if KVK.match(company_id):
            return f"0106:{company_id}"
    for scheme_element in party.findall("cac:PartyTaxScheme", NS):
        vat = (text(scheme_element, "cbc:CompanyID") or "").replace(" ", "").upper()
        if belgian := BELGIAN_VAT.match(vat):
            return f"0208:{belgian.group(1)}"
        if DUTCH_VAT.match(vat):
            return f"9944:{vat}"
    return None


def derived_ids(root: Element) -> tuple[str | None, str | None]:
    """(sender, receiver) Peppol ids derived from the parties' company ids, as the access point does."""
    return (
        _from_company_ids(root.find("cac:AccountingSupplierParty/cac:Party", NS)),
        _from_company_ids(root.find("cac:AccountingCustomerParty/cac:Party", NS)),
    )


@dataclass(frozen=True)
class Failure:
    """Why a send ended in FAILED; the `send_failed` details (their real shape is [U])."""

    reason: str
    message: str
    issues: tuple[Issue, ...] = ()

    def details(self, document: Document) -> dict[str, object]:
        details: dict[str, object] = {
            "reason": self.reason,
            "message": self.message,
            "receiver_peppol_id": document.receiver,
        }
        if self.issues:
            details["issues"] = list(self.issues)
        return details


def delivery_failure(document: Document, registry: Registry) -> Failure | None:
    """How a send ends, checked in the order an access point works: validation, the receiver's
    registration (SMP lookup), its document types, then the AS4 exchange itself."""
    if document.fatal_issues:
        return Failure("validation_failed", "The document has fatal validation errors.", tuple(document.fatal_issues))
    participant = registry.get(document.receiver or "")
    if participant is None:
        return Failure(
            "receiver_not_registered", f"Receiver {document.receiver} is not registered on the Peppol network."
        )
    if not participant.takes(TYPE_OF_ROOT[document.root_kind]):
        message = f"Receiver {document.receiver} does not accept the document type {document.root_kind}."
        return Failure("document_type_not_supported", message)
    if document.injected_failure is not None:
        return Failure("as4_error", document.injected_failure)
    return None
