"""The sandbox's own control API under `/einvoice/_sandbox/` (not e-invoice.be's): incoming documents,
the participant registry, receivers' responses, webhooks seen, faults, the clock and settings.

No authentication; plain JSON in and out; errors are `{"error": "…"}`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from sandboxes.einvoice.errors import ApiError
from sandboxes.einvoice.participants import DOCUMENT_TYPE_NAMES, Participant, split
from sandboxes.einvoice.samples import SAMPLES, sample
from sandboxes.einvoice.timestamps import iso
from sandboxes.kit.web import ControlError, Request, Response, control_body, json_response

if TYPE_CHECKING:
    from sandboxes.einvoice.state import EInvoiceSandbox

MAX_COPIES = 10
ENDPOINTS = {
    "POST /_sandbox/inbox": '{"sample": name} or {"ubl": "<xml…>"}, "copies"?: 2 for a duplicate delivery, '
    '"file_name"?: delivered to the tenant as RECEIVED/INBOUND, with document.received webhooks',
    "GET /_sandbox/participants": "the Peppol participant registry",
    "POST /_sandbox/participants": '{"peppol_id": "0208:…", "name", "country_code", "document_types"?: '
    '["invoice", "credit_note"], "registration_date"?}: add or replace one',
    "DELETE /_sandbox/participants/{peppol_id}": "take a participant off the network",
    "POST /_sandbox/documents/{id}/responses": '{"type": "mlr"|"imr", "status": "AP"|"RE"|…, "reason"?}: '
    "the receiver of a SENT document answers",
    "GET /_sandbox/webhooks": "subscriptions and every delivery attempt",
    "POST /_sandbox/events/{id}/redeliver": "deliver a past webhook event again (a duplicate, maybe stale)",
    "GET|POST|DELETE /_sandbox/faults": '{"kind", "path"?, "method"?, "times"?, "after"?, "seconds"?, '
    '"retry_after"?, "should_retry"?, "message"?}',
    "GET|POST /_sandbox/clock": '{"seconds": n} moves the sandbox clock forward',
    "GET|POST /_sandbox/settings": '{"send_delay"?, "signed_url_lifetime"?, "webhook_backoff"?: [s, …], '
    '"webhook_timeout"?}',
}


def _number(body: Mapping[str, object], name: str, default: float) -> float:
    value = body.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal) or value < 0:
        raise ControlError(400, f"{name} must be a non-negative number")
    return float(value)


def _string(body: Mapping[str, object], name: str, default: str | None = None) -> str:
    value = body.get(name, default)
    if not isinstance(value, str) or not value:
        raise ControlError(400, f"{name} must be a non-empty string")
    return value


def index(sandbox: EInvoiceSandbox, request: Request, params: dict[str, str]) -> Response:
    return json_response(
        {
            "endpoints": ENDPOINTS,
            "api_key": sandbox.api_key,
            "samples": SAMPLES,
            "participants": len(sandbox.registry.all()),
            "documents": len(sandbox.documents()),
        }
    )


def deliver(sandbox: EInvoiceSandbox, request: Request, params: dict[str, str]) -> Response:
    body = control_body(request)
    if ("sample" in body) == ("ubl" in body):
        raise ControlError(400, f"give either a sample ({', '.join(SAMPLES)}) or ubl")
    if "sample" in body:
        name = _string(body, "sample")
        if name not in SAMPLES:
            raise ControlError(404, f"no sample {name!r}; there are {', '.join(SAMPLES)}")
        raw = sample(name)
    else:
        raw = _string(body, "ubl").encode("utf-8")
    copies = body.get("copies", 1)
    if isinstance(copies, bool) or not isinstance(copies, int) or not 1 <= copies <= MAX_COPIES:
        raise ControlError(400, f"copies must be a whole number from 1 to {MAX_COPIES}")
    file_name = body.get("file_name")
    if file_name is not None and not isinstance(file_name, str):
        raise ControlError(400, "file_name must be a string")
    try:
        documents = sandbox.receive(raw, copies, file_name)
    except ApiError as error:
        raise ControlError(400, str(error.detail)) from error
    return json_response({"documents": [document.response() for document in documents]}, 201)


def list_participants(sandbox: EInvoiceSandbox, request: Request, params: dict[str, str]) -> Response:
    return json_response({"participants": [participant.describe() for participant in sandbox.registry.all()]})


def _document_types(body: Mapping[str, object]) -> tuple[str, ...]:
    names = body.get("document_types", list(DOCUMENT_TYPE_NAMES))
    if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
        raise ControlError(400, "document_types must be a list of strings")
    # A short name (invoice, credit_note) or a full document type identifier.
    return tuple(DOCUMENT_TYPE_NAMES.get(str(name), str(name)) for name in names)


def put_participant(sandbox: EInvoiceSandbox, request: Request, params: dict[str, str]) -> Response:
    body = control_body(request)
    peppol_id = _string(body, "peppol_id")
    if split(peppol_id) is None:
        raise ControlError(400, "peppol_id must be scheme:value, e.g. 0208:0700123432")
    try:
        registered = date.fromisoformat(_string(body, "registration_date", "2025-09-01"))
    except ValueError:
        raise ControlError(400, "registration_date must be YYYY-MM-DD") from None
    participant = Participant(
        peppol_id=peppol_id,
        name=_string(body, "name"),
        country_code=_string(body, "country_code", "BE").upper(),
        document_types=_document_types(body),
        registration_date=registered,
    )
    sandbox.registry.put(participant)
    return json_response(participant.describe(), 201)


def remove_participant(sandbox: EInvoiceSandbox, request: Request, params: dict[str, str]) -> Response:
    if not sandbox.registry.remove(params["id"]):
        raise ControlError(404, f"no participant {params['id']}")
    return json_response({"removed": params["id"]})


def add_response(sandbox: EInvoiceSandbox, request: Request, params: dict[str, str]) -> Response:
    body = control_body(request)
    kind = _string(body, "type")
    if kind not in ("mlr", "imr"):
        raise ControlError(400, "type must be mlr (Message Level Response) or imr (Invoice Response)")
    reason = body.get("reason")
    if reason is not None and not isinstance(reason, str):
        raise ControlError(400, "reason must be a string")
    try:
        event = sandbox.record_response(params["id"], kind, _string(body, "status"), reason)
    except ApiError as error:
        raise ControlError(error.status, str(error.detail)) from error
    except ValueError as error:
        raise ControlError(400, str(error)) from error
    return json_response(event.describe(), 201)


def webhook_deliveries(sandbox: EInvoiceSandbox, request: Request, params: dict[str, str]) -> Response:
    subscriptions = [subscription.describe() for subscription in sandbox.webhooks.all()]
    return json_response({"subscriptions": subscriptions, "attempts": sandbox.webhooks.history()})


def redeliver(sandbox: EInvoiceSandbox, request: Request, params: dict[str, str]) -> Response:
    event = sandbox.webhooks.redeliver(params["id"])
    if event is None:
        raise ControlError(404, f"no event {params['id']}")
    return json_response(event, 202)


def list_faults(sandbox: EInvoiceSandbox, request: Request, params: dict[str, str]) -> Response:
    return json_response({"faults": sandbox.faults.describe()})


def add_fault(sandbox: EInvoiceSandbox, request: Request, params: dict[str, str]) -> Response:
    try:
        fault = sandbox.faults.add(control_body(request))
    except ValueError as error:
        raise ControlError(400, str(error)) from error
    return json_response(fault.describe(), 201)


def clear_faults(sandbox: EInvoiceSandbox, request: Request, params: dict[str, str]) -> Response:
    sandbox.faults.clear()
    return json_response({"faults": []})


def clock(sandbox: EInvoiceSandbox, request: Request, params: dict[str, str]) -> Response:
    if request.method == "POST":
        sandbox.advance(_number(control_body(request), "seconds", 0))
    return json_response({"now": iso(sandbox.now())})


def settings(sandbox: EInvoiceSandbox, request: Request, params: dict[str, str]) -> Response:
    if request.method == "POST":
        body = control_body(request)
        backoff = body.get("webhook_backoff", list(sandbox.webhooks.backoff))
        if not isinstance(backoff, list) or any(
            isinstance(s, bool) or not isinstance(s, int | float | Decimal) or s < 0 for s in backoff
        ):
            raise ControlError(400, "webhook_backoff must be a list of non-negative numbers of seconds")
        send_delay = _number(body, "send_delay", sandbox.send_delay)
        lifetime = _number(body, "signed_url_lifetime", sandbox.links.lifetime)
        timeout = _number(body, "webhook_timeout", sandbox.webhooks.timeout)
        with sandbox.lock:
            sandbox.send_delay, sandbox.links.lifetime, sandbox.webhooks.timeout = send_delay, lifetime, timeout
            sandbox.webhooks.backoff = tuple(float(seconds) for seconds in backoff)
    return json_response(
        {
            "send_delay": sandbox.send_delay,
            "signed_url_lifetime": sandbox.links.lifetime,
            "webhook_backoff": list(sandbox.webhooks.backoff),
            "webhook_timeout": sandbox.webhooks.timeout,
        }
    )
