"""Purchase invoices and credit notes received over Peppol become bills (reference peppol.md §3.7,
§3.8): fetch the document and its UBL from the access point, read and validate our own copy of the
XML, find whose it is, and store document and bill in one transaction, audited.

Two ways in, one result: the `document.received` webhook calls `receive_document(id)`, and
`poll_inbox()` (scheduled) pages through the inbox as a safety net. A document id already stored
is recognised before anything is fetched, and the unique constraints catch a webhook and a poll
racing each other, so a duplicate delivery changes nothing.

Credit notes: a credit note becomes a bill of its own with negative amounts, so the supplier's
documents add up to what is owed. When its BillingReference names an open Peppol bill of the same
supplier, that bill's open amount is reduced by the credit (never below zero) and the credit
note's bill is settled (or keeps what was left over as a negative open amount): the payables
then show what is left to pay. A credit note for an invoice
we do not have (or one booked in Yuki, which books its own credit notes) stays a negative bill,
which the payables aging and the forecast leave out as they do every bill with nothing open.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from decimal import Decimal

import e_invoice_api
import httpx
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from banking.models import Bill, ReceivedDocument, supersede_booked_duplicates
from core.audit import record_event
from core.business_ids import ParticipantId, parse_participant_id
from core.models import Organization
from invoices.einvoicing import access_point
from invoices.einvoicing.access_point import AccessPointNotConfigured, Fault
from invoices.einvoicing.incoming import IncomingDocument, Line, UnreadableDocument, parse
from invoices.einvoicing.validation import validate
from invoices.models import BillingProfile

logger = logging.getLogger(__name__)

PAGE_SIZE = 50
ZERO = Decimal("0.00")


class ReceivingFailed(Exception):
    """The access point (or its file storage) could not give us the document now; `fault` says
    whether trying again later can help. Nothing was stored."""

    def __init__(self, fault: Fault) -> None:
        super().__init__(fault.message)
        self.fault = fault


@dataclass(frozen=True)
class Receipt:
    """What became of one access-point document."""

    document_id: str
    outcome: str  # "stored", "duplicate", "unknown_receiver" or "unreadable"
    received: ReceivedDocument | None = None
    detail: str = ""


@dataclass
class InboxPoll:
    """What one pass over the inbox did; `fault` is set when it stopped early (the rest waits for
    the next poll: what was stored stays stored)."""

    pages: int = 0
    stored: int = 0
    duplicates: int = 0
    unknown_receiver: int = 0
    unreadable: int = 0
    fault: Fault | None = None
    unknown_receivers: list[str] = field(default_factory=list)

    def count(self, receipt: Receipt) -> None:
        if receipt.outcome == "stored":
            self.stored += 1
        elif receipt.outcome == "duplicate":
            self.duplicates += 1
        elif receipt.outcome == "unknown_receiver":
            self.unknown_receiver += 1
            self.unknown_receivers.append(receipt.document_id)
        else:
            self.unreadable += 1


def receive_document(document_id: str) -> Receipt:
    """Store the access point's document `document_id` and the bill it becomes, once.

    Raises ReceivingFailed when the access point cannot answer now; a document that cannot be read,
    or is addressed to no organisation we know, is logged and reported in the receipt, not raised.
    """
    if ReceivedDocument.objects.filter(document_id=document_id).exists():
        return Receipt(document_id, "duplicate")
    xml = _download(document_id)
    try:
        document = parse(xml)
    except UnreadableDocument as exc:
        logger.warning("Peppol document %s cannot be read: %s", document_id, exc)
        return Receipt(document_id, "unreadable", detail=str(exc))
    organization = organization_for(document.receiver_endpoint)
    if organization is None:
        logger.warning(
            "Peppol document %s is for %s, which no organisation is", document_id, document.receiver_endpoint
        )
        return Receipt(document_id, "unknown_receiver", detail=document.receiver_endpoint)
    result = validate(xml)
    issues = [
        {"rule_id": issue.rule_id, "flag": issue.flag, "message": issue.message, "location": issue.location}
        for issue in result.issues
    ]
    try:
        with transaction.atomic():
            received = _store(organization, document_id, xml, document, issues, result.valid, result.rules_version)
    except IntegrityError:
        # A webhook and a poll stored the same document at the same moment: the other one won.
        if ReceivedDocument.objects.filter(organization=organization, document_id=document_id).exists():
            return Receipt(document_id, "duplicate")
        raise
    if issues:
        logger.info("Peppol document %s stored with %d validation issue(s)", document_id, len(issues))
    return Receipt(document_id, "stored", received)


def poll_inbox(page_size: int = PAGE_SIZE) -> InboxPoll:
    """Receive every inbox document not stored yet, oldest first; stops at the first fault."""
    poll = InboxPoll()
    page = 1
    while True:
        try:
            listing = access_point.client().inbox.list(
                page=page, page_size=page_size, sort_by="created_at", sort_order="asc"
            )
        except (e_invoice_api.APIError, AccessPointNotConfigured) as exc:
            poll.fault = access_point.fault(exc)
            break
        poll.pages += 1
        ids = [item.id for item in listing.items]
        stored = set(ReceivedDocument.objects.filter(document_id__in=ids).values_list("document_id", flat=True))
        for document_id in ids:
            if document_id in stored:
                poll.duplicates += 1
                continue
            try:
                poll.count(receive_document(document_id))
            except ReceivingFailed as exc:
                poll.fault = exc.fault
                break
        if poll.fault is not None or not ids or listing.pages is None or page >= listing.pages:
            break
        page += 1
    if poll.fault is not None:
        logger.warning("Peppol inbox poll stopped on page %d: %s", page, poll.fault.message)
    return poll


def organization_for(receiver: str) -> Organization | None:
    """The organisation whose billing profile's Peppol participant id is `receiver`."""
    try:
        wanted = parse_participant_id(receiver)
    except ValidationError:  # an id we cannot read belongs to nobody
        return None
    for profile in BillingProfile.objects.select_related("organization").order_by("pk"):
        if _same(profile.business_ids.participant_id, wanted):
            return profile.organization
    return None


def _same(participant: ParticipantId | None, wanted: ParticipantId) -> bool:
    return participant is not None and (participant.scheme, participant.value.upper()) == (
        wanted.scheme,
        wanted.value.upper(),
    )


def _download(document_id: str) -> bytes:
    """The XML of the document, from the short-lived link the access point hands out."""
    try:
        ubl = access_point.client().documents.ubl.get(document_id)
    except (e_invoice_api.APIError, AccessPointNotConfigured) as exc:
        raise ReceivingFailed(access_point.fault(exc)) from exc
    if not ubl.signed_url:
        raise ReceivingFailed(Fault("the access point gave no link to the document's XML", True, False))
    timeout = httpx.Timeout(settings.EINVOICE_TIMEOUT_SECONDS, connect=5.0)
    try:
        response = httpx.get(ubl.signed_url, timeout=timeout, follow_redirects=False)
    except httpx.HTTPError as exc:
        raise ReceivingFailed(Fault(f"the document's XML could not be downloaded ({exc})", True, False)) from exc
    if response.status_code != 200:
        # An expired link (403) or a storage hiccup: a new link next time.
        message = f"the document's XML could not be downloaded (HTTP {response.status_code})"
        raise ReceivingFailed(Fault(message, True, False))
    return response.content


def _store(
    organization: Organization,
    document_id: str,
    xml: bytes,
    document: IncomingDocument,
    issues: list[dict[str, str]],
    valid: bool,
    rules_version: str,
) -> ReceivedDocument:
    sign = Decimal(-1) if document.is_credit_note else Decimal(1)
    bill = Bill.objects.create(
        organization=organization,
        connection=None,
        external_id=document_id,
        supplier=_supplier_name(organization, document)[:200],
        supplier_code=document.supplier.key[:64],
        reference=document.number[:100],
        description="; ".join(line.description for line in document.lines if line.description)[:300],
        date=document.issue_date,
        due_date=document.due_date,
        currency=document.currency[:3],
        original_amount=sign * document.payable_amount,
        open_amount=sign * document.payable_amount,
        last_seen_on=timezone.localdate(),
        raw={"source": "peppol", "document_id": document_id, "document_type": document.document_type},
    )
    received = ReceivedDocument.objects.create(
        organization=organization,
        document_id=document_id,
        document_type=document.document_type,
        number=document.number[:100],
        issue_date=document.issue_date,
        due_date=document.due_date,
        currency=document.currency[:3],
        supplier_name=document.supplier.name[:200],
        supplier_vat_id=document.supplier.vat_id[:32],
        supplier_legal_id=document.supplier.legal_id[:32],
        supplier_endpoint=document.supplier.endpoint[:64],
        receiver_endpoint=document.receiver_endpoint[:64],
        net_amount=document.net_amount,
        vat_amount=document.vat_amount,
        payable_amount=document.payable_amount,
        payment_reference=document.payment_reference[:140],
        iban=document.iban[:34],
        billing_reference=document.billing_reference[:100],
        lines=[_line(line) for line in document.lines],
        xml=xml,
        pdf=document.pdf.content if document.pdf else None,
        pdf_filename=document.pdf.filename[:200] if document.pdf else "",
        valid=valid,
        validation_issues=issues,
        rules_version=rules_version,
        bill=bill,
    )
    if document.is_credit_note:
        _apply_credit(received, bill)
    supersede_booked_duplicates(organization.pk)
    record_event(
        "einvoice.received",
        organization=organization,
        target=received,
        after={
            "document_id": document_id,
            "document_type": document.document_type,
            "number": document.number,
            "supplier": document.supplier.name,
            "payable_amount": document.payable_amount,
            "currency": document.currency,
            "valid": valid,
            "fatal_rule_ids": received.fatal_rule_ids,
            "bill": bill.pk,
            "credited_bill": received.credited_bill_id,
        },
    )
    return received


def _supplier_name(organization: Organization, document: IncomingDocument) -> str:
    """The name this supplier's earlier documents were filed under (same register number or VAT
    id), so its bills stay together in the payables; else the name in this document."""
    supplier = document.supplier
    earlier = ReceivedDocument.objects.filter(organization=organization, bill__isnull=False)
    if supplier.legal_id:
        found = earlier.filter(supplier_legal_id=supplier.legal_id).order_by("pk").first()
    elif supplier.vat_id:
        found = earlier.filter(supplier_vat_id=supplier.vat_id).order_by("pk").first()
    else:
        found = None
    return found.bill.supplier if found is not None and found.bill is not None else supplier.name


def _apply_credit(received: ReceivedDocument, credit: Bill) -> None:
    """Reduce the open Peppol bill the credit note names (same supplier and currency) by its amount."""
    if not received.billing_reference:
        return
    credited = (
        Bill.objects.select_for_update()
        .filter(
            organization_id=received.organization_id,
            connection__isnull=True,
            received_document__document_type="INVOICE",
            received_document__supplier_endpoint=received.supplier_endpoint,
            reference=received.billing_reference,
            currency=received.currency,
        )
        .order_by("pk")
        .first()
    )
    if credited is None:
        return
    applied = min(received.payable_amount, max(credited.open_amount, ZERO))
    today = timezone.localdate()
    Bill.objects.filter(pk=credited.pk).update(open_amount=F("open_amount") - applied)
    if applied >= credited.open_amount:
        Bill.objects.filter(pk=credited.pk).update(settled_on=today)
    left = received.payable_amount - applied  # a credit larger than what was open stays a credit
    Bill.objects.filter(pk=credit.pk).update(open_amount=-left, settled_on=today if not left else None)
    received.credited_bill = credited
    received.save(update_fields=["credited_bill"])


def _line(line: Line) -> dict[str, object]:
    return {
        "id": line.line_id,
        "description": line.description,
        "quantity": str(line.quantity),
        "unit_code": line.unit_code,
        "unit_price": None if line.unit_price is None else str(line.unit_price),
        "net_amount": str(line.net_amount),
        "vat_category": line.vat_category,
        "vat_rate": None if line.vat_rate is None else str(line.vat_rate),
    }
