"""The e-invoice.be Peppol access point through its official SDK (reference peppol.md §3): the
client, what a fault means, and whether a participant can receive our invoices (cached).

The SDK retries on its own (twice, 409 and 5xx included) and the API has no idempotency key, so a
retried upload may create a second document there: the client is made with retries off, and the
callers look before they upload or send again (invoices/einvoicing/sending.py)."""

from __future__ import annotations

from dataclasses import dataclass

import e_invoice_api
import httpx
from django.conf import settings
from django.core.cache import cache

from core.business_ids import ParticipantId

# The document types of Peppol BIS Billing 3.0 a receiver must support (reference §3.5).
BIS_INVOICE = (
    "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2::Invoice##urn:cen.eu:en16931:2017"
    "#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0::2.1"
)
BIS_CREDIT_NOTE = (
    "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2::CreditNote##urn:cen.eu:en16931:2017"
    "#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0::2.1"
)


class AccessPointNotConfigured(Exception):
    """No API key: sending over Peppol is off in this deployment."""


def configured() -> bool:
    return bool(settings.EINVOICE_API_KEY)


def client() -> e_invoice_api.EInvoice:
    if not configured():
        raise AccessPointNotConfigured("EINVOICE_API_KEY is not set")
    return e_invoice_api.EInvoice(
        api_key=settings.EINVOICE_API_KEY,
        base_url=settings.EINVOICE_API_URL,
        timeout=httpx.Timeout(settings.EINVOICE_TIMEOUT_SECONDS, connect=5.0),
        max_retries=0,
    )


@dataclass(frozen=True)
class Fault:
    """What went wrong at the access point, in words, and whether trying again later can help."""

    message: str
    transient: bool
    # True when the request may have reached the access point and been acted on before the answer
    # was lost: the caller must look before doing it again.
    outcome_unknown: bool


def fault(error: Exception) -> Fault:
    """Classified by meaning: only an answer that says the request itself is wrong, or that our
    key is refused, is permanent; timeouts, lost connections, 408, 409, 429 and 5xx are not."""
    if isinstance(error, e_invoice_api.APITimeoutError):
        return Fault("the access point did not answer in time", transient=True, outcome_unknown=True)
    if isinstance(error, e_invoice_api.APIConnectionError):
        return Fault(f"the access point could not be reached ({error})", transient=True, outcome_unknown=True)
    if isinstance(error, e_invoice_api.APIStatusError):
        status = error.status_code
        detail = _detail(error)
        if status in (408, 409, 429) or status >= 500:
            return Fault(f"the access point answered {status}: {detail}", transient=True, outcome_unknown=status >= 500)
        return Fault(
            f"the access point refused the request ({status}): {detail}", transient=False, outcome_unknown=False
        )
    if isinstance(error, AccessPointNotConfigured):
        return Fault("sending over Peppol is not set up (no access point key)", transient=False, outcome_unknown=False)
    raise error


def _detail(error: e_invoice_api.APIStatusError) -> str:
    body = error.body
    if isinstance(body, dict):
        detail = body.get("detail", body)
        if isinstance(detail, list):  # FastAPI's 422: one entry per field
            return "; ".join(str(item.get("msg", item)) if isinstance(item, dict) else str(item) for item in detail)
        return str(detail)
    return error.message


@dataclass(frozen=True)
class Reachability:
    """Whether a participant can receive BIS 3.0 invoices and credit notes over Peppol; `known` is
    False when the access point could not be asked (the caller then lets the user choose)."""

    registered: bool
    name: str
    known: bool = True


def reachability(participant: ParticipantId) -> Reachability:
    """The access point's lookup of a participant, cached: a registration changes rarely, and every
    invoice page would otherwise ask."""
    key = f"einvoice:participant:{participant}"
    cached = cache.get(key)
    if isinstance(cached, Reachability):
        return cached
    try:
        answer = client().validate.validate_peppol_id(peppol_id=str(participant))
    except (e_invoice_api.APIError, AccessPointNotConfigured):
        return Reachability(registered=False, name="", known=False)  # not cached: ask again next time
    types = set(answer.supported_document_types or ())
    found = Reachability(
        registered=bool(answer.is_valid) and BIS_INVOICE in types,
        name=answer.business_card.name if answer.business_card and answer.business_card.name else "",
    )
    cache.set(key, found, settings.EINVOICE_LOOKUP_CACHE_SECONDS)
    return found
