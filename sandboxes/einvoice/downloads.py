"""Signed download links for a document's UBL, as `GET /api/documents/{id}/ubl` hands them out.

The link needs no API key and stops working `lifetime` seconds (sandbox clock) after it was made,
like a cloud-storage pre-signed URL. The real lifetime is [U]; a client should fetch the file at
once and ask `/ubl` again for a fresh link rather than keep one. Refusals are answered the way
object storage answers them: 403 with a small XML error document.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import quote

from sandboxes.kit.web import Response

EXPIRED = "Request has expired"
BAD_SIGNATURE = "The request signature we calculated does not match the signature you provided."


def storage_error(status: int, code: str, message: str) -> Response:
    body = f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code><Message>{message}</Message></Error>'
    return Response(status, body.encode(), [("Content-Type", "application/xml")])


@dataclass
class SignedLinks:
    lifetime: float = 3600.0
    _key: bytes = field(default_factory=lambda: secrets.token_bytes(32))

    def _signature(self, document_id: str, expires: int) -> str:
        return hmac.new(self._key, f"{document_id}:{expires}".encode(), hashlib.sha256).hexdigest()

    def link(self, root: str, document_id: str, file_name: str, now: datetime) -> str:
        """`{root}/files/{id}/{name}?expires=…&signature=…`; `root` is where the API is mounted."""
        expires = int(now.timestamp() + self.lifetime)
        signature = self._signature(document_id, expires)
        return f"{root}/files/{quote(document_id)}/{quote(file_name)}?expires={expires}&signature={signature}"

    def refusal(self, document_id: str, expires: str | None, signature: str | None, now: datetime) -> Response | None:
        """Why a download is refused, as the answer to give; None when the link is good now."""
        if expires is None or not expires.isdigit() or signature is None:
            return storage_error(403, "AccessDenied", "Query-string authentication requires the signature and expiry.")
        if not hmac.compare_digest(self._signature(document_id, int(expires)), signature):
            return storage_error(403, "SignatureDoesNotMatch", BAD_SIGNATURE)
        if now.timestamp() > int(expires):
            return storage_error(403, "AccessDenied", EXPIRED)
        return None
