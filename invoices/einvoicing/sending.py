"""Invoices sent over Peppol through the access point, never twice.

`send_over_peppol` checks the invoice against the rules, marks it sent and queues a Transmission
(`send_credit_note_over_peppol` the same for a credit note);
the worker then moves it on one step at a time (`advance`): upload the UBL (DRAFT), send it
(TRANSIT), follow it to SENT or FAILED, from a signed status webhook or by polling. The access
point has no idempotency key, so a call whose answer was lost is never simply repeated: the step
after it looks first (the drafts for an upload, the document's state for a send) and adopts what it
finds. Only a fault known to be permanent (the request refused, no key) fails the transmission;
timeouts, 429 and 5xx leave it where it stands for the next poll.
"""

from __future__ import annotations

import datetime
import logging
import warnings
from dataclasses import dataclass
from typing import Any

import e_invoice_api
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from django_q.tasks import async_task

from core.audit import record_event
from core.business_ids import ParticipantId
from core.models import User
from invoices import pdf
from invoices.einvoicing import access_point, validation
from invoices.einvoicing.access_point import AccessPointNotConfigured, Reachability
from invoices.einvoicing.ubl import credit_note_ubl, invoice_ubl
from invoices.models import LIVE_STATES, CreditNote, Invoice, Transmission, TransmissionState

logger = logging.getLogger(__name__)

PEPPOL = "peppol"
EMAIL = "email"
# The access point's document states (reference §3.3) as ours.
STATES = {
    "DRAFT": TransmissionState.DRAFT,
    "TRANSIT": TransmissionState.TRANSIT,
    "SENT": TransmissionState.SENT,
    "FAILED": TransmissionState.FAILED,
}
# How far along each state is: a late answer never moves a transmission back.
PROGRESS = {
    TransmissionState.QUEUED: 0,
    TransmissionState.DRAFT: 1,
    TransmissionState.TRANSIT: 2,
    TransmissionState.SENT: 3,
    TransmissionState.FAILED: 3,
}


@dataclass(frozen=True)
class ChannelChoice:
    """How an invoice is best sent, and why: over Peppol when the client can receive it there."""

    channel: str
    receiver: ParticipantId | None
    reachability: Reachability | None
    reason: str


def channel_for(invoice: Invoice) -> ChannelChoice:
    receiver = invoice.client.business_ids.participant_id
    if receiver is None:
        reason = gettext("the client has no Peppol ID (add its enterprise number, VAT number or Peppol ID)")
        return ChannelChoice(EMAIL, None, None, reason)
    if not access_point.configured():
        reason = gettext("sending over Peppol is not set up in this installation")
        return ChannelChoice(EMAIL, receiver, None, reason)
    found = access_point.reachability(receiver)
    if not found.known:
        return ChannelChoice(EMAIL, receiver, found, gettext("the Peppol directory could not be asked just now"))
    if not found.registered:
        reason = gettext("%(receiver)s is not registered on Peppol for invoices") % {"receiver": receiver}
        return ChannelChoice(EMAIL, receiver, found, reason)
    reason = gettext("%(name)s receives invoices over Peppol") % {"name": found.name or invoice.client.name}
    return ChannelChoice(PEPPOL, receiver, found, reason)


def send_over_peppol(
    invoice: Invoice, *, actor: User | None = None, request: HttpRequest | None = None
) -> Transmission:
    """Mark the invoice sent and queue its delivery over Peppol; refused in words when the client has
    no Peppol ID, when the e-invoice breaks a rule (with the rule ids), or when it already went out."""
    from invoices.services import send_invoice  # the services import this module's callers

    _check_sendable(invoice, invoice_ubl(invoice), Transmission.objects.filter(invoice=invoice, credit_note=None))
    invoice = send_invoice(invoice, actor=actor, request=request, email=False)
    return _queue(invoice, None, actor=actor, request=request)


def send_credit_note_over_peppol(
    credit_note: CreditNote, *, actor: User | None = None, request: HttpRequest | None = None
) -> Transmission:
    """Queue the credit note's delivery over Peppol, refused in words as an invoice's is."""
    _check_sendable(credit_note, credit_note_ubl(credit_note), Transmission.objects.filter(credit_note=credit_note))
    return _queue(credit_note.invoice, credit_note, actor=actor, request=request)


def _check_sendable(document: Invoice | CreditNote, ubl: bytes, earlier: QuerySet[Transmission]) -> None:
    if document.client.business_ids.participant_id is None:
        raise ValidationError(
            gettext("The client has no Peppol ID: add its enterprise number, VAT number or Peppol ID first.")
        )
    if not access_point.configured():
        raise ValidationError(gettext("Sending over Peppol is not set up in this installation (no access point key)."))
    if earlier.exclude(state=TransmissionState.FAILED).exists():
        raise ValidationError(_already_sent(document))
    result = validation.validate(ubl)
    if not result.valid:
        # The rule's own text stays as the rule set words it (English): its id says which it is.
        breaks = gettext("The e-invoice breaks %(rule)s: %(message)s")
        raise ValidationError(
            [breaks % {"rule": issue.rule_id, "message": issue.message} for issue in result.fatal],
            code="einvoice_invalid",
        )


def _already_sent(document: Invoice | CreditNote) -> str:
    return gettext("%(number)s is already on its way over Peppol, or delivered.") % {"number": document.number}


def _queue(
    invoice: Invoice, credit_note: CreditNote | None, *, actor: User | None, request: HttpRequest | None
) -> Transmission:
    document = credit_note or invoice
    receiver = document.client.business_ids.participant_id
    try:
        with transaction.atomic():
            transmission = Transmission.objects.create(
                organization_id=invoice.organization_id,
                invoice=invoice,
                credit_note=credit_note,
                receiver=str(receiver),
            )
            record_event(
                "einvoice.queued",
                request=request,
                actor=actor,
                organization=invoice.organization,
                target=invoice,
                after={"document": document.number, "receiver": str(receiver), "transmission": transmission.pk},
            )
            transaction.on_commit(lambda: async_task("invoices.tasks.advance_transmission", transmission.pk))
    except IntegrityError as exc:  # another request queued it a moment ago
        raise ValidationError(_already_sent(document)) from exc
    return transmission


def advance(transmission_id: int) -> str:
    """One step (or as many as the access point allows at once) of a live transmission; returns
    the state it is in afterwards. Only one worker acts on a transmission at a time: a webhook's
    task and the poll arriving together would otherwise both upload (the claim lapses by itself
    if its worker dies, and the next one looks before it acts)."""
    if not _claim(transmission_id):
        return str(Transmission.objects.values_list("state", flat=True).get(pk=transmission_id))
    try:
        transmission = Transmission.objects.select_related(
            "invoice__client", "invoice__organization", "credit_note__client", "credit_note__invoice"
        ).get(pk=transmission_id)
        _step(transmission)
    finally:
        Transmission.objects.filter(pk=transmission_id).update(claimed_until=None)
    return transmission.state


def _claim(transmission_id: int) -> bool:
    now = timezone.now()
    # Long enough for the calls of one step, each up to the timeout, and the PDF.
    lease = datetime.timedelta(seconds=6 * settings.EINVOICE_TIMEOUT_SECONDS + 60)
    free = Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    claimable = Transmission.objects.live().filter(free, pk=transmission_id)
    return bool(claimable.update(claimed_until=now + lease, updated_at=now))


def _step(transmission: Transmission) -> None:
    try:
        api = access_point.client()
        if transmission.state == TransmissionState.QUEUED:
            _upload(api, transmission)
        if transmission.state == TransmissionState.DRAFT:
            _send(api, transmission)
        if transmission.state == TransmissionState.TRANSIT:
            _follow(api, transmission)
    except (e_invoice_api.APIError, AccessPointNotConfigured) as error:
        found = access_point.fault(error)
        # Once a send may have gone out, only the access point's own FAILED settles it: a refused
        # key, a missing key or a document it cannot find must not free the invoice to be sent again.
        sent_maybe = transmission.send_attempts > 0 or transmission.state == TransmissionState.TRANSIT
        unsure = isinstance(error, AccessPointNotConfigured) or getattr(error, "status_code", None) in (401, 403, 404)
        if found.transient or (sent_maybe and unsure):
            logger.warning("transmission %s: %s; trying again later", transmission.pk, found.message)
            _update(transmission, error=f"Trying again: {found.message}.")
        else:
            _update(transmission, state=TransmissionState.FAILED, error=found.message[0].upper() + found.message[1:])


def advance_live() -> int:
    """The polling fallback: every transmission not yet settled takes its next step, the longest
    untouched first; one that breaks is logged and does not hold up the others."""
    live = list(Transmission.objects.live().order_by("updated_at").values_list("pk", flat=True))
    for pk in live:
        try:
            advance(pk)
        except Exception:
            logger.exception("transmission %s could not be moved on", pk)
    return len(live)


def follow_document(document_id: str) -> bool:
    """A status webhook named this access point document: move its transmission on. False when
    the document is not one we sent (an incoming one, or another installation's)."""
    pk = Transmission.objects.filter(access_point_id=document_id).values_list("pk", flat=True).first()
    if pk is None:
        return False
    advance(pk)
    return True


def _upload(api: e_invoice_api.EInvoice, transmission: Transmission) -> None:
    if transmission.upload_attempts:
        uploaded = _uploaded_before(api, transmission)
        if uploaded is not None:
            _adopt(transmission, uploaded)
            return
    _count(transmission, "upload_attempts")
    credit_note = transmission.credit_note
    if credit_note is not None:
        number, document = credit_note.number, credit_note_ubl(credit_note, pdf=pdf.credit_note_pdf(credit_note))
    else:
        invoice = transmission.invoice
        number, document = invoice.number, invoice_ubl(invoice, pdf=pdf.invoice_pdf(invoice))
    answer = api.documents.ubl.create_from_ubl(file=(f"{number}.xml", document, "application/xml"))
    _adopt(transmission, answer)


def _uploaded_before(api: e_invoice_api.EInvoice, transmission: Transmission) -> Any:
    """The draft an earlier upload whose answer was lost created, if it did."""
    with warnings.catch_warnings():  # the drafts listing is marked deprecated in the SDK, not in the API
        warnings.simplefilter("ignore", DeprecationWarning)
        number = transmission.document.number
        drafts = api.outbox.list_draft_documents(search=number, page_size=100)
    for document in drafts.items:
        if document.invoice_id == number and document.created_at >= transmission.created_at:
            return document
    return None


def _send(api: e_invoice_api.EInvoice, transmission: Transmission) -> None:
    if transmission.send_attempts:
        current = api.documents.retrieve(transmission.access_point_id)
        if current.state != "DRAFT":  # the earlier send went through
            _adopt(transmission, current)
            return
    _count(transmission, "send_attempts")
    scheme, _, identifier = transmission.receiver.partition(":")
    answer = api.documents.send(
        transmission.access_point_id, receiver_peppol_scheme=scheme, receiver_peppol_id=identifier
    )
    _adopt(transmission, answer)


def _follow(api: e_invoice_api.EInvoice, transmission: Transmission) -> None:
    current = api.documents.retrieve(transmission.access_point_id)
    timeline = api.documents.retrieve_timeline(transmission.access_point_id)
    events = [
        {"type": event.event_type, "at": event.timestamp.isoformat(), "details": event.details}
        for event in timeline.events or ()
    ]
    _adopt(transmission, current, events=events)


def _adopt(transmission: Transmission, document: Any, *, events: list[dict[str, Any]] | None = None) -> None:
    state = STATES.get(str(document.state), transmission.state)
    error = ""
    if state == TransmissionState.FAILED:
        # Stored in English (no reader here); Transmission.error_text translates it when shown.
        error = _failure(events or []) or gettext_noop("The access point could not deliver the invoice.")
    _update(transmission, state=state, access_point_id=document.id, events=events, error=error)


def _failure(events: list[dict[str, Any]]) -> str:
    for event in reversed(events):
        if event["type"] == "send_failed":
            details = event.get("details") or {}
            return str(details.get("message") or details.get("reason") or "")
    return ""


def _count(transmission: Transmission, field: str) -> None:
    """Recorded before the call: if the answer is lost, the next step knows to look first."""
    setattr(transmission, field, getattr(transmission, field) + 1)
    Transmission.objects.filter(pk=transmission.pk).update(**{field: getattr(transmission, field)})


def _update(
    transmission: Transmission,
    *,
    state: str | None = None,
    access_point_id: str | None = None,
    events: list[dict[str, Any]] | None = None,
    error: str = "",
) -> None:
    """Write what the access point said, under the row's lock, never moving the state back."""
    with transaction.atomic():
        current = (
            Transmission.objects.select_for_update().select_related("invoice__organization").get(pk=transmission.pk)
        )
        before = current.state
        if not current.live:  # settled by another worker meanwhile: what it wrote stands
            transmission.state, transmission.error = current.state, current.error
            return
        if state is not None and PROGRESS[TransmissionState(state)] >= PROGRESS[TransmissionState(before)]:
            current.state = state
        if access_point_id:
            current.access_point_id = access_point_id
        if events is not None:
            current.events = events
        current.error = error
        if current.state == TransmissionState.SENT and current.delivered_at is None:
            current.delivered_at = timezone.now()
        current.save()
        if current.state != before and current.state not in LIVE_STATES:
            record_event(
                f"einvoice.{current.state}",
                organization=current.invoice.organization,
                target=current.invoice,
                before={"state": before},
                after={"state": current.state, "access_point_id": current.access_point_id, "error": current.error},
            )
    transmission.state, transmission.access_point_id = current.state, current.access_point_id
    transmission.events, transmission.error = current.events, current.error
