"""Restore a stored backup into an empty database (docs/backups.md)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from backups import services
from backups.databases import Database
from backups.errors import BackupError


class Command(BaseCommand):
    help = (
        "Decrypt a backup, check its sha256, and restore it into an empty database: the one in "
        "DATABASE_URL, or --database-url. A database that has any table is refused."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="The backup's name, as `manage.py backup --list` shows it.")
        parser.add_argument("--database-url", help="The empty database to restore into (default: this service's).")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            url = options["database_url"]
            target = Database.from_url(url) if url else Database.from_settings(connection.settings_dict)
            header = services.restore_backup(options["name"], target)
        except (BackupError, ImproperlyConfigured) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Restored {options['name']} ({header.engine}, taken {header.created_at.isoformat()}, "
            f"sha256 {header.sha256} verified) into {target.name}."
        )
