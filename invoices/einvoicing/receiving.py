"""Purchase invoices and credit notes received over Peppol become bills (reference peppol.md §3.7,
§3.8): fetch the document and its UBL from the access point, read and validate our own copy of the
XML, find whose it is, and store document and bill in one transaction, audited.

Two ways in, one result: the `document.received` webhook calls `receive_document(id)`, and
`poll_inbox()` (scheduled) pages through the inbox as a safety net. A document id already stored
is recognised before anything is fetched, and the unique constraints catch a webhook and a poll
racing each other, so a duplicate delivery changes nothing. A supplier sending the same document
again gets a new access-point id: the same supplier (register number, else VAT id, else Peppol
id), type and number make it a repeat of the first, stored without a bill of its own.

Whose a document is, is the access point's addressing (the receiver it gives on `/ubl`), the
document's own EndpointID only when it gives none; `0208:<enterprise number>` and
`9925:BE<enterprise number>` are the same Belgian company. A document that is addressed to nobody
we know, cannot be read or is too large is set aside once (`QuarantinedDocument`, logged once) and
not fetched again; any other error in one document is logged and the poll goes on with the next.

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
from typing import Any
from urllib.parse import urlsplit

import e_invoice_api
import httpx
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from e_invoice_api.types.documents import UblGetResponse

from banking.models import Bill, ReceivedDocument, supersede_booked_duplicates
from banking.models.einvoices import QuarantinedDocument, QuarantineReason
from core.audit import record_event
from core.business_ids import ParticipantId, parse_participant_id
from core.models import Organization
from invoices.einvoicing import access_point
from invoices.einvoicing.access_point import AccessPointNotConfigured, Fault
from invoices.einvoicing.incoming import IncomingDocument, Line, UnreadableDocument, parse
from invoices.einvoicing.validation import ValidationResult, validate
from invoices.models import BillingProfile

logger = logging.getLogger(__name__)

PAGE_SIZE = 50
ZERO = Decimal("0.00")
MAX_XML_BYTES = 10 * 1024 * 1024  # far above any real invoice, PDF included
DOWNLOAD_CHUNK = 64 * 1024


class ReceivingFailed(Exception):
    """The access point (or its file storage) could not give us the document now; `fault` says
    whether trying again later can help. Nothing was stored."""

    def __init__(self, fault: Fault) -> None:
        super().__init__(fault.message)
        self.fault = fault


class SetAside(Exception):
    """A document we will never be able to store as it is: it is quarantined, not tried again."""

    def __init__(self, reason: QuarantineReason, detail: str, *, receiver: str = "", xml: bytes | None = None) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail
        self.receiver = receiver
        self.xml = xml


@dataclass(frozen=True)
class Receipt:
    """What became of one access-point document."""

    document_id: str
    # "stored", "repeat", "duplicate", "quarantined" (set aside before), or why it is set aside now:
    # "unknown_receiver", "unreadable", "too_large", "refused_link"
    outcome: str
    received: ReceivedDocument | None = None
    detail: str = ""


@dataclass
class InboxPoll:
    """What one pass over the inbox did; `fault` is set when the access point stopped it early (the
    rest waits for the next poll: what was stored stays stored)."""

    pages: int = 0
    stored: int = 0
    repeats: int = 0
    duplicates: int = 0
    skipped: int = 0  # set aside by an earlier pass
    unknown_receiver: int = 0
    unreadable: int = 0
    failed: int = 0  # an unexpected error: logged, tried again by the next poll
    fault: Fault | None = None
    unknown_receivers: list[str] = field(default_factory=list)

    def count(self, receipt: Receipt) -> None:
        if receipt.outcome == "stored":
            self.stored += 1
        elif receipt.outcome == "repeat":
            self.repeats += 1
        elif receipt.outcome == "duplicate":
            self.duplicates += 1
        elif receipt.outcome == "quarantined":
            self.skipped += 1
        elif receipt.outcome == "unknown_receiver":
            self.unknown_receiver += 1
            self.unknown_receivers.append(receipt.document_id)
        else:
            self.unreadable += 1


@dataclass(frozen=True)
class Download:
    xml: bytes
    receiver: str  # the access point's receiver, "scheme:id"; "" when it gives none


def receive_document(document_id: str) -> Receipt:
    """Store the access point's document `document_id` and the bill it becomes, once.

    Raises ReceivingFailed when the access point cannot answer now; a document that cannot be read,
    is too large, or is addressed to no organisation we know is set aside (logged once) and reported
    in the receipt, not raised.
    """
    # Before we know whose it is: the access point's ids are unique across its tenants.
    if ReceivedDocument.objects.filter(document_id=document_id).exists():
        return Receipt(document_id, "duplicate")
    if QuarantinedDocument.objects.filter(document_id=document_id).exists():
        return Receipt(document_id, "quarantined")
    try:
        return _receive(document_id)
    except SetAside as refusal:
        return _set_aside(document_id, refusal)


def _receive(document_id: str) -> Receipt:
    download = _download(document_id)
    try:
        document = parse(download.xml)
    except UnreadableDocument as exc:
        raise SetAside(QuarantineReason.UNREADABLE, str(exc), receiver=download.receiver, xml=download.xml) from exc
    receiver = download.receiver or document.receiver_endpoint
    organization = organization_for(receiver)
    if organization is None:
        detail = f"addressed to {receiver}, which is no organisation here"
        raise SetAside(QuarantineReason.UNKNOWN_RECEIVER, detail, receiver=receiver, xml=download.xml)
    result = validate(download.xml)
    issues = [
        {"rule_id": issue.rule_id, "flag": issue.flag, "message": issue.message, "location": issue.location}
        for issue in result.issues
    ]
    stored = _Stored(organization, document_id, download.xml, document, receiver, issues, result)
    try:
        received = stored.save()
    except IntegrityError:
        # A webhook and a poll stored the same document at the same moment: the other one won.
        if ReceivedDocument.objects.filter(organization=organization, document_id=document_id).exists():
            return Receipt(document_id, "duplicate")
        if _original(organization, document) is None:
            raise
        received = stored.save()  # another id of the same document won: this one is its repeat
    if issues:
        logger.info("Peppol document %s stored with %d validation issue(s)", document_id, len(issues))
    return Receipt(document_id, "repeat" if received.repeat_of_id else "stored", received)


def _set_aside(document_id: str, refusal: SetAside) -> Receipt:
    _, created = QuarantinedDocument.objects.get_or_create(
        document_id=document_id,
        defaults={
            "reason": refusal.reason,
            "detail": refusal.detail[:500],
            "receiver": refusal.receiver[:64],
            "xml": refusal.xml,
        },
    )
    if created:
        logger.warning("Peppol document %s set aside (%s): %s", document_id, refusal.reason, refusal.detail)
    return Receipt(document_id, str(refusal.reason), detail=refusal.detail)


def poll_inbox(page_size: int = PAGE_SIZE) -> InboxPoll:
    """Receive every inbox document not stored or set aside yet, oldest first. Stops when the access
    point fails; an unexpected error in one document is logged, and the poll goes on."""
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
        set_aside = set(QuarantinedDocument.objects.filter(document_id__in=ids).values_list("document_id", flat=True))
        for document_id in ids:
            if document_id in stored:
                poll.duplicates += 1
            elif document_id in set_aside:
                poll.skipped += 1
            else:
                _poll_one(poll, document_id)
            if poll.fault is not None:
                break
        if poll.fault is not None or not ids or listing.pages is None or page >= listing.pages:
            break
        page += 1
    if poll.fault is not None:
        logger.warning("Peppol inbox poll stopped on page %d: %s", page, poll.fault.message)
    return poll


def _poll_one(poll: InboxPoll, document_id: str) -> None:
    try:
        poll.count(receive_document(document_id))
    except ReceivingFailed as exc:
        poll.fault = exc.fault
    except Exception:  # one document's bug must not block every later one: the next poll tries again
        logger.exception("Peppol document %s could not be received", document_id)
        poll.failed += 1


def organization_for(receiver: str) -> Organization | None:
    """The organisation whose billing profile's Peppol participant id is `receiver` (`0208:<n>` and
    `9925:BE<n>` being the same Belgian company).

    The database narrows the profiles to those that can be it (by Peppol id, enterprise number or
    VAT number, in the forms they may be stored in); the participant id each of them stands for
    decides."""
    try:
        wanted = _participant_key(parse_participant_id(receiver))
    except ValidationError:  # an id we cannot read belongs to nobody
        return None
    profiles = BillingProfile.objects.filter(_may_be(wanted)).select_related("organization").order_by("pk")
    for profile in profiles:
        participant = profile.business_ids.participant_id
        if participant is not None and _participant_key(participant) == wanted:
            return profile.organization
    return None


def _participant_key(participant: ParticipantId) -> tuple[str, str]:
    """The participant as one key per company: a Belgian VAT id (9925) becomes its enterprise number (0208)."""
    value = participant.value.strip().upper()
    if participant.scheme == "9925" and value.startswith("BE"):
        return ("0208", value[2:])
    return (participant.scheme, value)


def _may_be(key: tuple[str, str]) -> Q:
    """The billing profiles that may stand for the participant `key`: its Peppol id, or no Peppol id
    and the enterprise or VAT number it is derived from (reference §2)."""
    scheme, value = key
    ids = [f"{scheme}:{value}", f"9925:BE{value}"] if scheme == "0208" else [f"{scheme}:{value}"]
    by_peppol_id = Q()
    for text in ids:
        by_peppol_id |= Q(peppol_id__iexact=text)
    if scheme == "0208" and len(value) == 10:
        # Numbers saved before they were checked may keep dots, spaces or the old nine digits.
        dotted, spaced = f"{value[:4]}.{value[4:7]}.{value[7:]}", f"{value[:4]} {value[4:7]} {value[7:]}"
        numbers = [value, value.removeprefix("0"), dotted, spaced]
        derived = Q(enterprise_number__in=numbers) | Q(vat_number__in=[f"BE{number}" for number in numbers])
        derived |= Q(vat_number__in=[f"BE {number}" for number in numbers])
        return by_peppol_id | Q(peppol_id="", country="BE") & derived
    if scheme == "0106":
        return by_peppol_id | Q(peppol_id="", country="NL", enterprise_number=value)
    if scheme == "9944":
        return by_peppol_id | Q(peppol_id="", country="NL", vat_number=value)
    return by_peppol_id


def _download(document_id: str) -> Download:
    """The XML of the document, from the short-lived link the access point hands out, and whom the
    access point says it is for."""
    try:
        ubl = access_point.client().documents.ubl.get(document_id)
    except (e_invoice_api.APIError, AccessPointNotConfigured) as exc:
        raise ReceivingFailed(access_point.fault(exc)) from exc
    receiver = _addressed_to(ubl)
    if ubl.file_size is not None and ubl.file_size > MAX_XML_BYTES:
        raise SetAside(QuarantineReason.TOO_LARGE, _too_large(f"{ubl.file_size} bytes"), receiver=receiver)
    if not ubl.signed_url:
        raise ReceivingFailed(Fault("the access point gave no link to the document's XML", True, False))
    return Download(_fetch(ubl.signed_url, receiver), receiver)


def _addressed_to(ubl: UblGetResponse) -> str:
    """The receiver as the access point routed the document, `scheme:id`; "" when it names none."""
    scheme, value = (ubl.receiver_peppol_scheme or "").strip(), (ubl.receiver_peppol_id or "").strip()
    if not value or not scheme or value.startswith(f"{scheme}:"):
        return value
    return f"{scheme}:{value}"


def _fetch(url: str, receiver: str) -> bytes:
    """The body at `url`: http(s) only, no redirect followed, at most MAX_XML_BYTES."""
    if urlsplit(url).scheme.lower() not in ("http", "https") or not urlsplit(url).hostname:
        detail = "the access point's link to the document's XML is not an http(s) address"
        raise SetAside(QuarantineReason.REFUSED_LINK, detail, receiver=receiver)
    timeout = httpx.Timeout(settings.EINVOICE_TIMEOUT_SECONDS, connect=5.0)
    body = bytearray()
    try:
        # identity: the size counted is the size received, no compressed bomb to expand
        with httpx.stream(
            "GET", url, timeout=timeout, follow_redirects=False, headers={"Accept-Encoding": "identity"}
        ) as response:
            if response.status_code != 200:
                # An expired link (403), a redirect, a storage hiccup: a new link next time.
                message = f"the document's XML could not be downloaded (HTTP {response.status_code})"
                raise ReceivingFailed(Fault(message, True, False))
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > MAX_XML_BYTES:
                raise SetAside(QuarantineReason.TOO_LARGE, _too_large(f"{declared} bytes"), receiver=receiver)
            for chunk in response.iter_bytes(DOWNLOAD_CHUNK):
                body += chunk
                if len(body) > MAX_XML_BYTES:
                    raise SetAside(QuarantineReason.TOO_LARGE, _too_large("more"), receiver=receiver)
    except httpx.HTTPError as exc:
        raise ReceivingFailed(Fault(f"the document's XML could not be downloaded ({exc})", True, False)) from exc
    return bytes(body)


def _too_large(size: str) -> str:
    return f"the document's XML is {size}, over the {MAX_XML_BYTES // (1024 * 1024)} MB we accept"


def _original(organization: Organization, document: IncomingDocument) -> ReceivedDocument | None:
    """The first copy of this supplier's document already stored, if any (never one without a key)."""
    key = document.supplier.key[:64]
    if not key:
        return None
    return (
        ReceivedDocument.objects.filter(
            organization=organization,
            supplier_key=key,
            document_type=document.document_type,
            number=document.number[:100],
            repeat_of__isnull=True,
        )
        .only("pk", "document_id")
        .first()
    )


@dataclass(frozen=True)
class _Stored:
    """One received document about to be stored: as the original with its bill, or as a repeat."""

    organization: Organization
    document_id: str
    xml: bytes
    document: IncomingDocument
    receiver: str
    issues: list[dict[str, str]]
    check: ValidationResult

    def save(self) -> ReceivedDocument:
        with transaction.atomic():
            original = _original(self.organization, self.document)
            if original is not None:
                return self._repeat(original)
            return self._original_with_bill()

    def _fields(self) -> dict[str, Any]:
        document = self.document
        return {
            "organization": self.organization,
            "document_id": self.document_id,
            "document_type": document.document_type,
            "number": document.number[:100],
            "issue_date": document.issue_date,
            "due_date": document.due_date,
            "currency": document.currency[:3],
            "supplier_name": document.supplier.name[:200],
            "supplier_vat_id": document.supplier.vat_id[:32],
            "supplier_legal_id": document.supplier.legal_id[:32],
            "supplier_endpoint": document.supplier.endpoint[:64],
            "supplier_key": document.supplier.key[:64],
            "receiver_endpoint": self.receiver[:64],
            "net_amount": document.net_amount,
            "vat_amount": document.vat_amount,
            "payable_amount": document.payable_amount,
            "payment_reference": document.payment_reference[:140],
            "iban": document.iban[:34],
            "billing_reference": document.billing_reference[:100],
            "lines": [_line(line) for line in document.lines],
            "xml": self.xml,
            "pdf": document.pdf.content if document.pdf else None,
            "pdf_filename": document.pdf.filename[:200] if document.pdf else "",
            "valid": self.check.valid,
            "validation_issues": self.issues,
            "rules_version": self.check.rules_version,
        }

    def _repeat(self, original: ReceivedDocument) -> ReceivedDocument:
        received = ReceivedDocument.objects.create(**self._fields(), repeat_of=original)
        logger.info("Peppol document %s repeats %s: no second bill", self.document_id, original.document_id)
        self._audit(received)
        return received

    def _original_with_bill(self) -> ReceivedDocument:
        organization, document = self.organization, self.document
        sign = Decimal(-1) if document.is_credit_note else Decimal(1)
        bill = Bill.objects.create(
            organization=organization,
            connection=None,
            external_id=self.document_id,
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
            raw={"source": "peppol", "document_id": self.document_id, "document_type": document.document_type},
        )
        received = ReceivedDocument.objects.create(**self._fields(), bill=bill)
        if document.is_credit_note:
            _apply_credit(received, bill)
        supersede_booked_duplicates(organization.pk)
        self._audit(received)
        return received

    def _audit(self, received: ReceivedDocument) -> None:
        document = self.document
        record_event(
            "einvoice.received",
            organization=self.organization,
            target=received,
            after={
                "document_id": self.document_id,
                "document_type": document.document_type,
                "number": document.number,
                "supplier": document.supplier.name,
                "payable_amount": document.payable_amount,
                "currency": document.currency,
                "valid": self.check.valid,
                "fatal_rule_ids": received.fatal_rule_ids,
                "bill": received.bill_id,
                "credited_bill": received.credited_bill_id,
                "repeat_of": received.repeat_of_id,
            },
        )


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
