"""The sandbox's in-memory, thread-safe state: documents, the participant registry, webhooks, faults.

`EInvoiceSandbox` is both what tests drive from Python and what `sandbox.wsgi_app` serves. Time
is the sandbox clock: a send stays in TRANSIT until `send_delay` seconds of it have passed, and
settles on the next request, `tick()` or `advance()`.
"""

from __future__ import annotations

import itertools
import threading
import uuid
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from random import Random

from sandboxes.einvoice import sending, ubl
from sandboxes.einvoice.app import EInvoiceApp
from sandboxes.einvoice.documents import (
    DRAFT,
    FAILED,
    INBOUND,
    OUTBOUND,
    RECEIVED,
    SENT,
    TRANSIT,
    Document,
    TimelineEvent,
    validation_answer,
)
from sandboxes.einvoice.downloads import SignedLinks
from sandboxes.einvoice.errors import ApiError, not_found
from sandboxes.einvoice.faults import FaultBook
from sandboxes.einvoice.participants import Participant, Registry
from sandboxes.einvoice.seeding import TENANT_PEPPOL_ID, seeded_participants
from sandboxes.einvoice.validation import Validator, default_validator
from sandboxes.einvoice.webhooks import RECEIVED as DOCUMENT_RECEIVED
from sandboxes.einvoice.webhooks import SEND_FAILED, Webhooks
from sandboxes.einvoice.webhooks import SENT as DOCUMENT_SENT
from sandboxes.kit.clock import MovableClock

DEFAULT_API_KEY = "sandbox-einvoice-api-key"
# Business responses the control API can attach to a sent document (UNCL4343 subsets) [I].
RESPONSE_STATUSES = {"mlr": ("AB", "AP", "RE"), "imr": ("AB", "IP", "UQ", "CA", "RE", "AP", "PD")}


class EInvoiceSandbox(MovableClock):
    """An offline e-invoice.be access point for one tenant (the company behind `api_key`).

    `validator` is what upload and validation run (default: the sandbox's own checks, see
    `validation.py`); `now` the clock to start from; `seed` makes document ids repeatable.
    """

    def __init__(
        self,
        seed: int = 2026,
        now: Callable[[], datetime] | None = None,
        *,
        validator: Validator | None = None,
        api_key: str = DEFAULT_API_KEY,
        send_delay: float = 5.0,
        signed_url_lifetime: float = 3600.0,
        webhook_backoff: Iterable[float] = (1.0, 5.0, 30.0),
        webhook_timeout: float = 5.0,
        participants: Iterable[Participant] | None = None,
    ) -> None:
        super().__init__(now)
        self.api_key = api_key
        self.validator: Validator = validator or default_validator
        self.send_delay = send_delay
        self.registry = Registry.of(seeded_participants() if participants is None else participants)
        self.faults = FaultBook()
        self.links = SignedLinks(signed_url_lifetime)
        self.webhooks = Webhooks(self.now, tuple(webhook_backoff), webhook_timeout)
        self._random = Random(seed)  # noqa: S311 - ids, not secrets
        self._seq = itertools.count(1)
        self._documents: dict[str, Document] = {}
        self.wsgi_app = EInvoiceApp(self)

    # --- clock ---------------------------------------------------------------------------------------
    def advance(self, seconds: float) -> datetime:
        """Move the sandbox clock forward; sends that are due settle (and their webhooks go out)."""
        super().advance(seconds)
        self.tick()
        return self.now()

    def tick(self) -> None:
        """Settle every send whose delay has passed: SENT or FAILED, with its webhook."""
        settled = []
        with self.lock:
            now = self.now()
            for document in self._documents.values():
                if document.state == TRANSIT and document.send_due_at is not None and document.send_due_at <= now:
                    settled.append((self._settle(document, now), document.response()))
        for event_type, response in settled:
            self.webhooks.publish(event_type, {"document": response})

    def tick_until(self, stop: threading.Event, interval: float = 1.0) -> None:
        """Tick every `interval` seconds until `stop` is set (for a long-running sandbox on real time)."""
        while not stop.wait(interval):
            self.tick()

    def _settle(self, document: Document, now: datetime) -> str:
        failure = sending.delivery_failure(document, self.registry)
        document.send_due_at = None
        if failure is None:
            document.state = SENT
            document.timeline.append(self._event("send_success", now, {"receiver_peppol_id": document.receiver}))
            return DOCUMENT_SENT
        document.state = FAILED
        document.timeline.append(self._event("send_failed", now, failure.details(document)))
        return SEND_FAILED

    # --- ids ----------------------------------------------------------------------------------------
    def _new_id(self, prefix: str) -> str:
        with self.lock:
            return f"{prefix}_{self._random.getrandbits(96):024x}"

    def new_validation_id(self) -> str:
        with self.lock:
            return str(uuid.UUID(int=self._random.getrandbits(128), version=4))

    def _event(self, event_type: str, at: datetime, details: dict[str, object] | None = None) -> TimelineEvent:
        return TimelineEvent(self._new_id("tle"), event_type, at, details)

    # --- documents --------------------------------------------------------------------------------------
    def _store(self, raw: bytes, file_name: str | None, direction: str, state: str) -> Document:
        try:
            root = ubl.parse(raw)
        except ubl.UblError as error:
            raise ApiError(422, str(error)) from error
        issues = self.validator(raw)
        with self.lock:
            now = self.now()
            document_id = self._new_id("doc")
            sender, receiver = ubl.party_ids(root)
            document = Document(
                id=document_id,
                seq=next(self._seq),
                direction=direction,
                state=state,
                created_at=now,
                ubl=raw,
                file_name=file_name or f"{document_id}.xml",
                root_kind=ubl.kind_of(root) or "Invoice",
                fields=ubl.document_fields(root),
                issues=issues,
                validated_at=now,
                sender=sender,
                receiver=receiver,
            )
            self._documents[document.id] = document
            return document

    def upload(self, raw: bytes, file_name: str | None = None) -> Document:
        """`POST /api/documents/ubl`: a new DRAFT, every time (the access point has no idempotency)."""
        document = self._store(raw, file_name, OUTBOUND, DRAFT)
        with self.lock:
            document.timeline.append(self._event("document_created", document.created_at))
        return document

    def receive(self, raw: bytes, copies: int = 1, file_name: str | None = None) -> list[Document]:
        """A document arriving over Peppol; `copies` > 1 is a duplicate delivery (one document each)."""
        received = []
        for _ in range(copies):
            document = self._store(raw, file_name, INBOUND, RECEIVED)
            with self.lock:
                document.timeline.append(self._event("receive_success", document.created_at))
            received.append(document)
            self.webhooks.publish(DOCUMENT_RECEIVED, {"document": document.response()})
        return received

    def document(self, document_id: str) -> Document:
        with self.lock:
            document = self._documents.get(document_id)
            if document is None:
                raise not_found("Document")
            return document

    def documents(self) -> list[Document]:
        with self.lock:
            return list(self._documents.values())

    def delete(self, document_id: str) -> None:
        with self.lock:
            document = self.document(document_id)
            if document.state == TRANSIT:
                # Conservative [U]: what deleting a document on its way does at the real service is unknown.
                raise ApiError(409, "Document is being sent and cannot be deleted")
            del self._documents[document.id]

    def send(self, document_id: str, receiver: str | None = None, sender: str | None = None) -> Document:
        """`POST /api/documents/{id}/send`: TRANSIT now, SENT or FAILED once `send_delay` has passed.

        Only a DRAFT can be sent; anything else is a 409 and nothing happens, so a retried send
        can never go out twice. (Whether the real service re-sends a FAILED document is [U]:
        refusing is the safe reading.)
        """
        with self.lock:
            document = self.document(document_id)
            if document.state != DRAFT:
                raise ApiError(409, f"Document is in state {document.state}; only a DRAFT document can be sent")
            derived_sender, derived_receiver = sending.derived_ids(ubl.parse(document.ubl))
            document.receiver = receiver or derived_receiver
            if document.receiver is None:
                raise ApiError(
                    400, "No receiver Peppol ID given, and none can be derived from the customer's company ID"
                )
            document.sender = sender or derived_sender or TENANT_PEPPOL_ID
            injected = self.faults.take_send_failure()
            now = self.now()
            document.state = TRANSIT
            document.send_due_at = now + timedelta(seconds=self.send_delay)
            document.injected_failure = injected.message if injected is not None else None
            details = {"sender_peppol_id": document.sender, "receiver_peppol_id": document.receiver}
            document.timeline.append(self._event("send_attempted", now, dict(details)))
            return document

    def validate(self, raw: bytes, file_name: str | None) -> dict[str, object]:
        """`POST /api/validate/ubl`: the validator's verdict, nothing stored."""
        return validation_answer(self.new_validation_id(), file_name, self.validator(raw))

    def revalidate(self, document_id: str) -> dict[str, object]:
        """`POST /api/documents/{id}/validate`: validates the stored UBL again and keeps the result."""
        document = self.document(document_id)
        issues = self.validator(document.ubl)
        with self.lock:
            document.issues, document.validated_at = issues, self.now()
        return document.validation_response(document.id)

    def record_response(self, document_id: str, kind: str, status: str, reason: str | None) -> TimelineEvent:
        """A Message Level Response (`mlr`) or Invoice Response (`imr`) from the receiver of a SENT document."""
        if status not in RESPONSE_STATUSES.get(kind, ()):
            raise ValueError(f"a {kind} status is one of {', '.join(RESPONSE_STATUSES.get(kind, ()))}")
        with self.lock:
            document = self.document(document_id)
            if document.state != SENT:
                raise ApiError(409, "only a SENT document gets responses from its receiver")
            event = self._event(f"{kind}_received", self.now(), {"status": status, "reason": reason})
            document.timeline.append(event)
            return event
