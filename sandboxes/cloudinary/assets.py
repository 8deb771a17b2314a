"""A stored asset, what it is (from its first bytes) and the JSON the Upload and Admin APIs give for it."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

DELIVERY = "https://res.cloudinary.com"
TYPES = ("upload", "private", "authenticated")
RESOURCE_TYPES = ("image", "raw", "video")
# What an image upload may be, by magic number: a PDF is an image asset (one page per frame).
_IMAGE_FORMATS = ((b"%PDF-", "pdf"), (b"\x89PNG\r\n\x1a\n", "png"), (b"\xff\xd8\xff", "jpg"), (b"GIF8", "gif"))
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "gif": "image/gif",
    "txt": "text/plain",
    "csv": "text/csv",
    "xml": "application/xml",
    "json": "application/json",
}


def image_format(content: bytes) -> str | None:
    return next((name for magic, name in _IMAGE_FORMATS if content.startswith(magic)), None)


def content_type(public_id: str, file_format: str) -> str:
    """A raw asset's type comes from the extension its public id keeps; an image's from its format."""
    extension = file_format or public_id.rpartition(".")[2].lower()
    return CONTENT_TYPES.get(extension, "application/octet-stream")


@dataclass(frozen=True, slots=True)
class Download:
    """One request for an asset's file through a download link, and how it was answered."""

    public_id: str
    type: str
    status: int
    size: int


@dataclass
class Asset:
    asset_id: str
    public_id: str
    resource_type: str
    type: str
    format: str  # empty for raw: a raw asset's public id keeps its extension
    version: int
    content: bytes
    created_at: datetime
    original_filename: str
    signature: str
    pages: int = 0

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.resource_type, self.type, self.public_id)

    def url(self, scheme: str, cloud_name: str) -> str:
        suffix = f".{self.format}" if self.format else ""
        host = DELIVERY if scheme == "https" else DELIVERY.replace("https:", "http:")
        return f"{host}/{cloud_name}/{self.resource_type}/{self.type}/v{self.version}/{self.public_id}{suffix}"

    def resource(self, cloud_name: str) -> dict[str, object]:
        """The Admin API's view of the asset."""
        document: dict[str, object] = {
            "asset_id": self.asset_id,
            "public_id": self.public_id,
            "version": self.version,
            "resource_type": self.resource_type,
            "type": self.type,
            "created_at": self.created_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "bytes": len(self.content),
            "url": self.url("http", cloud_name),
            "secure_url": self.url("https", cloud_name),
        }
        if self.format:
            document["format"] = self.format
        return document

    def upload_answer(self, cloud_name: str, api_key: str) -> dict[str, object]:
        """The Upload API's answer for the asset it just stored."""
        document = {
            **self.resource(cloud_name),
            "version_id": hashlib.md5(f"{self.asset_id}{self.version}".encode(), usedforsecurity=False).hexdigest(),
            "signature": self.signature,
            "tags": [],
            "etag": hashlib.md5(self.content, usedforsecurity=False).hexdigest(),
            "placeholder": False,
            "original_filename": self.original_filename,
            "api_key": api_key,
        }
        if self.pages:
            document["pages"] = self.pages
        return document
