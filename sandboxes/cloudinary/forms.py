"""The parameters of an Upload API call: the SDK posts them as multipart/form-data (the file a part
among them), a hand-made call may post them URL-encoded."""

from __future__ import annotations

from urllib.parse import parse_qs

from sandboxes.einvoice.multipart import UploadedFile, uploaded_files
from sandboxes.kit.web import Request


def fields(request: Request) -> tuple[dict[str, str], UploadedFile | None]:
    """The text parameters and the `file` part, if any."""
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("multipart/form-data"):
        parts = uploaded_files(content_type, request.body)
        upload = parts.pop("file", None)
        return {name: part.content.decode("utf-8", "replace") for name, part in parts.items()}, upload
    parsed = parse_qs(request.body.decode("utf-8", "replace"), keep_blank_values=True)
    return {name: values[0] for name, values in parsed.items()}, None
