"""The simulated Peppol network: who is registered, under which identifier, for which document types,
and what the access point's lookups answer from that (peppol.md §3.5).

Participants are keyed by their Peppol id `scheme:value`, compared without regard to case as
Peppol participant identifiers are. `/api/validate/peppol-id`, `/api/lookup` and
`/api/lookup/participants` answer from the registry; a send to an id that is not in it, or that
does not take the document's type, ends in FAILED.
"""

from __future__ import annotations

import base64
import hashlib
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from sandboxes.einvoice.timestamps import iso

DOCUMENT_TYPE_SCHEME = "busdox-docid-qns"
BILLING = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0::2.1"
INVOICE_TYPE = f"urn:oasis:names:specification:ubl:schema:xsd:Invoice-2::Invoice##{BILLING}"
CREDIT_NOTE_TYPE = f"urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2::CreditNote##{BILLING}"
# How the control API names them, and which one a UBL root element travels as.
DOCUMENT_TYPE_NAMES = {"invoice": INVOICE_TYPE, "credit_note": CREDIT_NOTE_TYPE}
TYPE_OF_ROOT = {"Invoice": INVOICE_TYPE, "CreditNote": CREDIT_NOTE_TYPE}
PROCESS = {"scheme": "cenbii-procid-ubl", "value": "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"}
PARTICIPANT_SCHEME = "iso6523-actorid-upis"
SML_DOMAIN = "edelivery.tech.ec.europa.eu"
TRANSPORT_PROFILE = "peppol-transport-as4-v2_0"


def key(peppol_id: str) -> str:
    return peppol_id.strip().lower()


def split(peppol_id: str) -> tuple[str, str] | None:
    """(`0208`, `0700123432`) for `0208:0700123432`; None when it is not `scheme:value`."""
    scheme, colon, value = peppol_id.strip().partition(":")
    return (scheme, value) if colon and scheme and value else None


@dataclass(frozen=True)
class Participant:
    peppol_id: str  # scheme:value, e.g. 0208:0700123432
    name: str
    country_code: str
    document_types: tuple[str, ...] = (INVOICE_TYPE, CREDIT_NOTE_TYPE)
    registration_date: date = date(2025, 9, 1)
    access_point: str = "https://as4.sandbox-access-point.example/as4"

    def takes(self, document_type: str) -> bool:
        return document_type in self.document_types

    def describe(self) -> dict[str, object]:
        return {
            "peppol_id": self.peppol_id,
            "name": self.name,
            "country_code": self.country_code,
            "document_types": list(self.document_types),
            "registration_date": self.registration_date.isoformat(),
        }


@dataclass
class Registry:
    """The participants, thread-safe; the control API edits them while the API reads them."""

    _participants: dict[str, Participant] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def of(cls, participants: Iterable[Participant]) -> Registry:
        registry = cls()
        for participant in participants:
            registry.put(participant)
        return registry

    def get(self, peppol_id: str) -> Participant | None:
        with self._lock:
            return self._participants.get(key(peppol_id))

    def put(self, participant: Participant) -> None:
        with self._lock:
            self._participants[key(participant.peppol_id)] = participant

    def remove(self, peppol_id: str) -> bool:
        with self._lock:
            return self._participants.pop(key(peppol_id), None) is not None

    def all(self) -> list[Participant]:
        with self._lock:
            return list(self._participants.values())


def _document_type(value: str) -> dict[str, str]:
    return {"scheme": DOCUMENT_TYPE_SCHEME, "value": value}


def peppol_id_answer(participant: Participant | None) -> dict[str, object]:
    """`GET /api/validate/peppol-id`: document types as identifier values without their scheme [U]."""
    if participant is None:
        return {
            "is_valid": False,
            "dns_valid": False,
            "business_card_valid": False,
            "supported_document_types": [],
            "business_card": None,
        }
    return {
        "is_valid": True,
        "dns_valid": True,
        "business_card_valid": True,
        "supported_document_types": list(participant.document_types),
        "business_card": {
            "name": participant.name,
            "country_code": participant.country_code,
            "registration_date": participant.registration_date.isoformat(),
        },
    }


def _sml_hostname(peppol_id: str) -> str:
    # The SML's "new spec" name: base32 of SHA-256 of the lower-cased identifier, without padding.
    digest = hashlib.sha256(key(peppol_id).encode()).digest()
    return f"{base64.b32encode(digest).decode().rstrip('=').lower()}.{PARTICIPANT_SCHEME}.{SML_DOMAIN}"


def lookup_answer(peppol_id: str, participant: Participant | None, now: datetime) -> dict[str, object]:
    """`GET /api/lookup`: the SML/SMP lookup (camelCase keys, as the service answers)."""
    metadata = {
        "identifierScheme": PARTICIPANT_SCHEME,
        "identifierValue": peppol_id,
        "smlDomain": SML_DOMAIN,
        "timestamp": iso(now),
        "version": "1.0",
    }
    if participant is None:
        error = f"No DNS record found for participant {peppol_id}"
        return {
            "status": "error",
            "errors": [error],
            "executionTimeMs": 41.0,
            "queryMetadata": metadata,
            "dnsInfo": {
                "status": "error",
                "error": error,
                "smlHostname": _sml_hostname(peppol_id),
                "smpHostname": None,
                "lookupMethod": "naptr",
                "dnsRecords": [],
            },
            "serviceMetadata": {"status": "skipped", "queryTimeMs": 0.0, "endpoints": []},
            "businessCard": {"status": "skipped", "queryTimeMs": 0.0, "entities": []},
            "certificates": [],
        }
    endpoint = {"address": participant.access_point, "transportProfile": TRANSPORT_PROFILE, "certificate": None}
    return {
        "status": "success",
        "errors": [],
        "executionTimeMs": 87.0,
        "queryMetadata": metadata,
        "dnsInfo": {
            "status": "success",
            "smlHostname": _sml_hostname(peppol_id),
            "smpHostname": "smp.sandbox-access-point.example",
            "lookupMethod": "naptr",
            "dnsRecords": [{"ip": "192.0.2.10"}],
        },
        "serviceMetadata": {
            "status": "success",
            "queryTimeMs": 32.0,
            "endpoints": [
                {
                    "url": f"https://smp.sandbox-access-point.example/{PARTICIPANT_SCHEME}::{participant.peppol_id}",
                    "status": "success",
                    "documentTypes": [_document_type(value) for value in participant.document_types],
                    "processes": [{"processId": PROCESS, "endpoints": [endpoint]}],
                }
            ],
        },
        "businessCard": {
            "status": "success",
            "queryTimeMs": 12.0,
            "entities": [
                {
                    "name": participant.name,
                    "countryCode": participant.country_code,
                    "registrationDate": participant.registration_date.isoformat(),
                    "additionalInformation": [],
                }
            ],
        },
        "certificates": [],
    }


def directory_answer(query: str, country_code: str | None, registry: Registry, now: datetime) -> dict[str, object]:
    """`GET /api/lookup/participants`: the Peppol Directory search, by name or identifier."""
    terms = query.strip().lower()
    found = [
        participant
        for participant in registry.all()
        if (terms in participant.name.lower() or terms in key(participant.peppol_id))
        and (not country_code or participant.country_code.upper() == country_code.upper())
    ]
    participants = []
    for participant in found:
        scheme, value = split(participant.peppol_id) or ("", participant.peppol_id)
        entity = {
            "name": participant.name,
            "country_code": participant.country_code,
            "identifiers": [{"scheme": scheme, "value": value}],
            "registration_date": participant.registration_date.isoformat(),
            "website": None,
            "additional_info": None,
            "geo_info": None,
        }
        participants.append(
            {
                "peppol_id": participant.peppol_id,
                "peppol_scheme": PARTICIPANT_SCHEME,
                "document_types": [_document_type(value) for value in participant.document_types],
                "entities": [entity],
            }
        )
    return {
        "query_terms": query,
        "search_date": iso(now),
        "total_count": len(participants),
        "used_count": len(participants),
        "participants": participants,
    }
