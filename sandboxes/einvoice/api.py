"""The access point's API (peppol.md §3.2): documents, validation, lookups, inbox and outbox, the tenant.

Success answers are 200 with the JSON the SDK's models describe; whether the real service
answers a create with 201 instead is [U], so a client should accept any 2xx.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from sandboxes.einvoice import participants
from sandboxes.einvoice.documents import DRAFT, INBOUND, OUTBOUND, Document
from sandboxes.einvoice.downloads import storage_error
from sandboxes.einvoice.errors import ApiError, missing
from sandboxes.einvoice.listing import Listing
from sandboxes.einvoice.mount import PREFIX
from sandboxes.einvoice.multipart import UploadedFile, uploaded_files
from sandboxes.einvoice.seeding import TENANT
from sandboxes.einvoice.timestamps import iso
from sandboxes.kit.routing import mounted_root
from sandboxes.kit.web import Request, Response, json_response

if TYPE_CHECKING:
    from sandboxes.einvoice.state import EInvoiceSandbox


def _file(request: Request) -> UploadedFile:
    """The multipart `file` field; a raw XML body is the reference's 422 "Field required: body.file"."""
    upload = uploaded_files(request.headers.get("content-type", ""), request.body).get("file")
    if upload is None:
        raise missing("body", "file")
    return upload


def _required(request: Request, name: str) -> str:
    value = request.param(name)
    if value is None:
        raise missing("query", name)
    return value


def _party(request: Request, role: str) -> str | None:
    """`scheme:value` from `{role}_peppol_scheme` and `{role}_peppol_id`, None when neither is given.

    One without the other is refused (400, nothing happens): how the service reads a lone id, or
    an id that already carries its scheme, is [U], and the reference says to pass both.
    """
    scheme, value = request.param(f"{role}_peppol_scheme"), request.param(f"{role}_peppol_id")
    if not scheme and not value:
        return None
    if not scheme or not value:
        raise ApiError(400, f"{role}_peppol_scheme and {role}_peppol_id must be given together")
    return f"{scheme}:{value}"


def create_from_ubl(sandbox: EInvoiceSandbox, request: Request, params: dict[str, str]) -> Response:
    """A file that is not a well-formed UBL Invoice or CreditNote is a 422 whose detail is a string
    (raised by the service, not by request validation): a client must read both 422 shapes."""
    upload = _file(request)
    return json_response(sandbox.upload(upload.content, upload.file_name).response())


def get_document(sandbox: EInvoiceSandbox, request: Request, params: dict[str, str]) -> Response:
    return json_response(sandbox.document(params["id"]).response())


def delete_document(sandbox: EInvoiceSandbox, request: Request, params: dict[str, str]) -> Response:
    sandbox.delete(params["id"])
    return json_response({"is_deleted": True})


def send_document(sandbox: EInvoiceSandbox, request: Request, params: dict[str, str]) -> Response:
    """`email` is accepted and not used: the sandbox sends nothing by mail."""
    receiver, sender = _party(request, "receiver"), _party(request, "sender")
    return json_response(sandbox.send(params["id"], receiver=receiver, sender=sender).response())


def timeline(sandbox: EInvoiceSandbox, request: Request, params: dict[str, str]) -> Response:
    return json_response(sandbox.document(params["id"]).timeline_response())


def _split(peppol_id: str | None) -> tuple[str | None, str | None]:
    return participants.split(peppol_id or "") or (None, None)


def ubl_file(sandbox: EInvoiceSandbox, request: Request, params: dict[str, str]) -> Response:
    """`GET /api/documents/{id}/ubl`: where to download the XML (a link that expires), and its hash."""
    document = sandbox.document(params["id"])
    sender_scheme, sender_id = _split(document.sender)
    receiver_scheme, receiver_id = _split(document.receiver)
    return json_response(
        {
            "id": document.id,
            "file_name": document.file_name,
            "file_hash": document.file_hash,
            "file_size": len(document.ubl),
            "sender_peppol_scheme": sender_scheme,
            "sender_peppol_id": sender_id,
            "receiver_peppol_scheme": receiver_scheme,
            "receiver_peppol_id": receiver_id,
            "signed_url": sandbox.links.link(
                mounted_root(request, PREFIX), document.id, document.file_name, sandbox.now()
            ),
            "validated_at": iso(document.validated_at),
        }
    )


def download(sandbox: EInvoiceSandbox, request: Request, params: dict[str, str]) -> Response:
    """The signed link itself: no API key, the XML as uploaded or received, byte for byte."""
    refusal = sandbox.links.refusal(params["id"], request.param("expires"), request.param("signature"), sandbox.now())
    if refusal is not None:
        return refusal
    try:
        document = sandbox.document(params["id"])
    except ApiError:
        return storage_error(404, "NoSuchKey", "The specified key does not exist.")
    return Response(200, document.ubl, [("Content-Type", "application/xml")])


def validate_document(sandbox: EInvoiceSandbox, request: Request, params: dict[str, str]) -> Response:
    return json_response(sandbox.revalidate(params["id"]))


def validate_ubl(sandbox: EInvoiceSandbox, request: Request, params: dict[str, str]) -> Response:
    upload = _file(request)
    return json_response(sandbox.validate(upload.content, upload.file_name))


def validate_peppol_id(sandbox: EInvoiceSandbox, request: Request, params: dict[str, str]) -> Response:
    peppol_id = _required(request, "peppol_id")
    return json_response(participants.peppol_id_answer(sandbox.registry.get(peppol_id)))


def lookup(sandbox: EInvoiceSandbox, request: Request, params: dict[str, str]) -> Response:
    peppol_id = _required(request, "peppol_id")
    return json_response(participants.lookup_answer(peppol_id, sandbox.registry.get(peppol_id), sandbox.now()))


def lookup_participants(sandbox: EInvoiceSandbox, request: Request, params: dict[str, str]) -> Response:
    query = _required(request, "query")
    country = request.param("country_code") or None
    return json_response(participants.directory_answer(query, country, sandbox.registry, sandbox.now()))


def _listed(
    sandbox: EInvoiceSandbox, request: Request, keeps: Callable[[Document], bool], document_type: str | None = None
) -> Response:
    listing = Listing.from_query(request, document_type)
    return json_response(listing.page_of(document for document in sandbox.documents() if keeps(document)))


def _received(document: Document) -> bool:
    return document.direction == INBOUND


def _sent(document: Document) -> bool:
    """Sent, being sent or failed: the outbox proper (drafts are listed apart)."""
    return document.direction == OUTBOUND and document.state != DRAFT


def _draft(document: Document) -> bool:
    return document.direction == OUTBOUND and document.state == DRAFT


def inbox(sandbox: EInvoiceSandbox, request: Request, params: dict[str, str]) -> Response:
    return _listed(sandbox, request, _received)


def inbox_invoices(sandbox: EInvoiceSandbox, request: Request, params: dict[str, str]) -> Response:
    return _listed(sandbox, request, _received, "INVOICE")


def inbox_credit_notes(sandbox: EInvoiceSandbox, request: Request, params: dict[str, str]) -> Response:
    return _listed(sandbox, request, _received, "CREDIT_NOTE")


def outbox(sandbox: EInvoiceSandbox, request: Request, params: dict[str, str]) -> Response:
    return _listed(sandbox, request, _sent)


def outbox_drafts(sandbox: EInvoiceSandbox, request: Request, params: dict[str, str]) -> Response:
    return _listed(sandbox, request, _draft)


def me(sandbox: EInvoiceSandbox, request: Request, params: dict[str, str]) -> Response:
    return json_response(TENANT)
