"""The encrypted backup file: a plain magic line, then length-prefixed Fernet frames.

    SMART-INVOICE-BACKUP 1\n
    [4-byte big-endian length][Fernet token of the JSON header]
    [4-byte big-endian length][Fernet token of up to CHUNK_BYTES of the dump]  ...

The header (format version, engine, created-at, plaintext size and sha256) is encrypted and
authenticated like every chunk. Each chunk is authenticated on its own; the header's size and
sha256 then catch chunks dropped, reordered or cut off. Chunks are read and written one at a
time, so a large dump is never held in memory.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from backups.errors import BackupError

FORMAT_VERSION = 1
MAGIC = f"SMART-INVOICE-BACKUP {FORMAT_VERSION}\n".encode()
CHUNK_BYTES = 4 * 1024 * 1024
_LENGTH = struct.Struct(">I")
# A Fernet token of CHUNK_BYTES is about 4/3 of it; a longer length prefix is damage, not data.
_MAX_TOKEN_BYTES = 2 * CHUNK_BYTES


class Readable(Protocol):
    def read(self, size: int, /) -> bytes: ...


class Writable(Protocol):
    def write(self, data: bytes, /) -> object: ...


class BackupFileError(BackupError):
    """The file is not a backup these keys can open, or it was altered or cut short."""


@dataclass(frozen=True)
class Header:
    engine: str
    created_at: datetime.datetime
    size: int
    sha256: str
    version: int = FORMAT_VERSION

    def to_json(self) -> bytes:
        return json.dumps(
            {
                "version": self.version,
                "engine": self.engine,
                "created_at": self.created_at.isoformat(),
                "size": self.size,
                "sha256": self.sha256,
            }
        ).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> Header:
        values = json.loads(raw)
        return cls(
            version=int(values["version"]),
            engine=str(values["engine"]),
            created_at=datetime.datetime.fromisoformat(values["created_at"]),
            size=int(values["size"]),
            sha256=str(values["sha256"]),
        )


def backup_fernet() -> MultiFernet:
    """The keys of BACKUP_ENCRYPTION_KEY; a missing or malformed key is a configuration error."""
    keys = settings.BACKUP_ENCRYPTION_KEYS
    if not keys:
        raise ImproperlyConfigured(
            "BACKUP_ENCRYPTION_KEY must be set to run backups when DEBUG is off. Generate a key with "
            "`python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'` "
            "and keep a copy outside the backups: without it they cannot be restored."
        )
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(
            "BACKUP_ENCRYPTION_KEY must be comma-separated Fernet keys (32 url-safe base64 bytes)."
        ) from exc


def _chunks(source: Readable) -> Iterator[bytes]:
    while chunk := source.read(CHUNK_BYTES):
        yield chunk


def sha256_of(source: Readable) -> tuple[str, int]:
    """The stream's sha256 (hex) and size, read in chunks from where it stands."""
    digest, size = hashlib.sha256(), 0
    for chunk in _chunks(source):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


def _write_frame(target: Writable, token: bytes) -> None:
    target.write(_LENGTH.pack(len(token)))
    target.write(token)


def encrypt(plaintext: Readable, target: Writable, header: Header, fernet: MultiFernet) -> None:
    """Write the header and then `plaintext` (read from where it stands) to `target`."""
    target.write(MAGIC)
    _write_frame(target, fernet.encrypt(header.to_json()))
    for chunk in _chunks(plaintext):
        _write_frame(target, fernet.encrypt(chunk))


def _read_frame(source: Readable) -> bytes | None:
    """The next token, or None at the very end of the file."""
    prefix = source.read(_LENGTH.size)
    if not prefix:
        return None
    if len(prefix) < _LENGTH.size:
        raise BackupFileError("The backup file is truncated (it ends inside a chunk's length).")
    (length,) = _LENGTH.unpack(prefix)
    if length > _MAX_TOKEN_BYTES:
        raise BackupFileError("The backup file is damaged (a chunk's length is impossible).")
    token = source.read(length)
    if len(token) < length:
        raise BackupFileError("The backup file is truncated (it ends inside a chunk).")
    return token


def _open(fernet: MultiFernet, token: bytes) -> bytes:
    try:
        return fernet.decrypt(token)
    except InvalidToken as exc:
        raise BackupFileError(
            "The backup file was altered, or none of the keys in BACKUP_ENCRYPTION_KEY encrypted it."
        ) from exc


def read_header(source: Readable, fernet: MultiFernet) -> Header:
    """Check the magic line and open the header; leaves `source` at the first chunk."""
    if source.read(len(MAGIC)) != MAGIC:
        raise BackupFileError(f"Not a Smart Invoice backup of format version {FORMAT_VERSION}.")
    token = _read_frame(source)
    if token is None:
        raise BackupFileError("The backup file is truncated (it has no header).")
    try:
        return Header.from_json(_open(fernet, token))
    except (ValueError, KeyError) as exc:
        raise BackupFileError("The backup file's header is unreadable.") from exc


def decrypt(source: Readable, target: Writable, fernet: MultiFernet) -> Header:
    """Write the plaintext to `target` and return the header once its size and sha256 match.

    Raises BackupFileError otherwise: what was written to `target` must then be thrown away.
    """
    header = read_header(source, fernet)
    digest, size = hashlib.sha256(), 0
    while (token := _read_frame(source)) is not None:
        chunk = _open(fernet, token)
        digest.update(chunk)
        size += len(chunk)
        target.write(chunk)
    if size != header.size or digest.hexdigest() != header.sha256:
        raise BackupFileError(
            f"The backup file is incomplete or altered: its content ({size} bytes) does not match the "
            f"size ({header.size} bytes) and sha256 its header records."
        )
    return header
