"""A document at the access point: its UBL, the fields parsed from it, its state and its timeline.

States (peppol.md §3.3): an upload is DRAFT; a send makes it TRANSIT, and later SENT or FAILED;
a document that arrives over Peppol is RECEIVED. Direction is OUTBOUND or INBOUND.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime

from sandboxes.einvoice.timestamps import iso
from sandboxes.einvoice.validation import Issue, is_fatal

DRAFT, TRANSIT, SENT, FAILED, RECEIVED = "DRAFT", "TRANSIT", "SENT", "FAILED", "RECEIVED"
OUTBOUND, INBOUND = "OUTBOUND", "INBOUND"


@dataclass
class TimelineEvent:
    id: str
    event_type: str  # document_created, send_attempted, send_success, send_failed, receive_success, mlr/imr_received
    timestamp: datetime
    details: dict[str, object] | None = None

    def describe(self) -> dict[str, object]:
        return {"id": self.id, "event_type": self.event_type, "timestamp": iso(self.timestamp), "details": self.details}


@dataclass
class Document:
    id: str
    seq: int  # creation order: ties in sorting are broken by it
    direction: str
    state: str
    created_at: datetime
    ubl: bytes
    file_name: str
    root_kind: str  # Invoice | CreditNote: which Peppol document type it travels as
    fields: dict[str, object]
    issues: list[Issue]
    validated_at: datetime
    sender: str | None = None  # Peppol ids, scheme:value
    receiver: str | None = None
    timeline: list[TimelineEvent] = field(default_factory=list)
    send_due_at: datetime | None = None
    injected_failure: str | None = None  # an AS4 error the control API planted for this send

    @property
    def file_hash(self) -> str:
        return hashlib.sha256(self.ubl).hexdigest()

    @property
    def fatal_issues(self) -> list[Issue]:
        return [found for found in self.issues if is_fatal(found)]

    def response(self) -> dict[str, object]:
        """The `DocumentResponse` (peppol.md §3.4)."""
        return {
            "id": self.id,
            "created_at": iso(self.created_at),
            "state": self.state,
            "direction": self.direction,
            **self.fields,
        }

    def timeline_response(self) -> dict[str, object]:
        return {"document_id": self.id, "events": [event.describe() for event in self.timeline]}

    def validation_response(self, validation_id: str) -> dict[str, object]:
        return validation_answer(validation_id, self.file_name, self.issues)


def validation_answer(validation_id: str, file_name: str | None, issues: list[Issue]) -> dict[str, object]:
    """`UblDocumentValidation` (peppol.md §3.6): valid when no issue is fatal."""
    return {
        "id": validation_id,
        "file_name": file_name,
        "is_valid": not any(is_fatal(found) for found in issues),
        "issues": issues,
        "ubl_document": None,
    }
