"""Back up the database into the backups storage (docs/backups.md), or list what is stored."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser

from backups import services
from backups.errors import BackupError
from backups.storage import backup_storage, storage_errors


class Command(BaseCommand):
    help = (
        "Dump the database (pg_dump custom format, or an SQLite copy, gzipped), encrypt it with "
        "BACKUP_ENCRYPTION_KEY into the backups storage, then delete what the retention policy does not keep."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--list", action="store_true", help="List the stored backups, newest first.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["list"]:
                self._list()
            else:
                self._backup()
        except (BackupError, ImproperlyConfigured) as exc:
            raise CommandError(str(exc)) from exc

    def _list(self) -> None:
        storage = backup_storage()
        for backup in services.stored_backups(storage):
            with storage_errors():
                size = storage.size(backup.name)
            self.stdout.write(f"{backup.name}\t{size} bytes\t{backup.created_at.isoformat()}")

    def _backup(self) -> None:
        written = services.create_backup()
        self.stdout.write(
            f"Wrote {written.name}: {written.size} bytes, sha256 {written.sha256} (of the dump), "
            f"in {written.seconds} s."
        )
        for name in written.deleted:
            self.stdout.write(f"Deleted {name} (retention).")
