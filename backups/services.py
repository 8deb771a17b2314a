"""Writing a backup to the `backups` storage, pruning old ones, and restoring one."""

from __future__ import annotations

import datetime
import re
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import Storage
from django.db import connection
from django.utils import timezone

from backups import archive
from backups.databases import Database
from backups.errors import BackupError
from backups.retention import backups_to_keep
from backups.storage import backup_storage, storage_errors, top_level_files
from core.audit import record_event

_TIMESTAMP = "%Y%m%dT%H%M%SZ"
_NAME = re.compile(r"^smart-invoice-(?P<engine>[a-z]+)-(?P<timestamp>\d{8}T\d{6}Z)\.dump\.enc$")


@dataclass(frozen=True)
class StoredBackup:
    name: str
    engine: str
    created_at: datetime.datetime


@dataclass(frozen=True)
class BackupWritten:
    name: str
    size: int
    sha256: str
    seconds: float
    deleted: list[str]


def backup_name(engine: str, created_at: datetime.datetime) -> str:
    return f"smart-invoice-{engine}-{created_at.astimezone(datetime.UTC).strftime(_TIMESTAMP)}.dump.enc"


def stored_backups(storage: Storage) -> list[StoredBackup]:
    """Our backups in the storage, newest first (other files there are left alone)."""
    with storage_errors():
        files = top_level_files(storage)
    found = []
    for name in files:
        match = _NAME.match(name)
        if match:
            created_at = datetime.datetime.strptime(match["timestamp"], _TIMESTAMP).replace(tzinfo=datetime.UTC)
            found.append(StoredBackup(name=name, engine=match["engine"], created_at=created_at))
    return sorted(found, key=lambda backup: backup.created_at, reverse=True)


def create_backup() -> BackupWritten:
    """Dump the default database, encrypt it into the backups storage, then apply the retention."""
    fernet = archive.backup_fernet()
    storage = backup_storage()
    # A refused key or a missing bucket shows before a dump that may take minutes.
    stored_backups(storage)
    started = time.monotonic()
    database = Database.from_settings(connection.settings_dict)
    created_at = timezone.now().replace(microsecond=0)
    with tempfile.TemporaryDirectory() as scratch:
        dump, encrypted = Path(scratch) / "dump", Path(scratch) / "dump.enc"
        database.dump(dump)
        with dump.open("rb") as plain:
            sha256, size = archive.sha256_of(plain)
            plain.seek(0)
            header = archive.Header(engine=database.engine, created_at=created_at, size=size, sha256=sha256)
            with encrypted.open("wb") as target:
                archive.encrypt(plain, target, header, fernet)
        with encrypted.open("rb") as source, storage_errors():
            name = storage.save(backup_name(database.engine, created_at), File(source))
            size = storage.size(name)
    written = BackupWritten(
        name=name,
        size=size,
        sha256=sha256,
        seconds=round(time.monotonic() - started, 2),
        deleted=prune_backups(storage),
    )
    record_event("backup.created", after={"name": name, "size": written.size, "sha256": sha256})
    return written


def prune_backups(storage: Storage) -> list[str]:
    """Delete the backups the retention policy does not keep; returns their names."""
    backups = stored_backups(storage)
    keep = backups_to_keep(
        (backup.created_at for backup in backups), daily=settings.BACKUP_KEEP_DAILY, weekly=settings.BACKUP_KEEP_WEEKLY
    )
    deleted = [backup.name for backup in backups if backup.created_at not in keep]
    with storage_errors():
        for name in deleted:
            storage.delete(name)
    return deleted


def restore_backup(name: str, target: Database) -> archive.Header:
    """Decrypt and verify a stored backup, then load it into `target`, which must be empty."""
    fernet = archive.backup_fernet()
    storage = backup_storage()
    # Listed rather than asked for: S3 answers a HEAD in a missing bucket with "no such object".
    with storage_errors():
        found = name in top_level_files(storage)
    if not found:
        raise BackupError(f"No backup named {name!r} in the backups storage (see `manage.py backup --list`).")
    tables = target.table_count()
    if tables:
        raise BackupError(
            f"The target database {target.name!r} is not empty ({tables} tables): restore only into an empty one."
        )
    with tempfile.TemporaryDirectory() as scratch:
        dump = Path(scratch) / "dump"
        with storage_errors(), storage.open(name, "rb") as source, dump.open("wb") as plain:
            header = archive.decrypt(source, plain, fernet)
        if header.engine != target.engine:
            raise BackupError(f"{name} is a {header.engine} backup; the target database is {target.engine}.")
        target.load(dump)
    return header
