"""Reading `multipart/form-data` uploads byte for byte (the UBL file must hash the same on the way out)."""

from __future__ import annotations

from dataclasses import dataclass
from email.message import Message


@dataclass(frozen=True, slots=True)
class UploadedFile:
    field: str
    file_name: str | None
    content: bytes


def _parameters(header_value: str) -> Message:
    message = Message()
    message["content-type"] = header_value  # email parses `; name="…"` parameters, quoting included
    return message


def uploaded_files(content_type: str, body: bytes) -> dict[str, UploadedFile]:
    """The form's parts by field name (the first of a repeated name); empty for any other body."""
    params = _parameters(content_type)
    boundary = params.get_param("boundary")
    if params.get_content_type() != "multipart/form-data" or not isinstance(boundary, str) or not boundary:
        return {}
    delimiter = b"--" + boundary.encode("latin-1")
    parts: dict[str, UploadedFile] = {}
    for chunk in body.split(delimiter)[1:]:
        if chunk.startswith(b"--"):
            break  # the closing delimiter
        head, separator, content = chunk.removeprefix(b"\r\n").partition(b"\r\n\r\n")
        if not separator:
            continue
        disposition = next(
            (
                line.split(b":", 1)[1].strip().decode("utf-8", "replace")
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-disposition:")
            ),
            None,
        )
        if disposition is None:
            continue
        fields = _parameters(f"form-data; {disposition.partition(';')[2]}")
        name, file_name = fields.get_param("name"), fields.get_param("filename")
        if isinstance(name, str) and name not in parts:
            # The line break before the next delimiter belongs to the delimiter, not to the file.
            content = content.removesuffix(b"\r\n")
            parts[name] = UploadedFile(name, file_name if isinstance(file_name, str) else None, content)
    return parts
