"""Background jobs run by django-q: the daily backup (scheduled by migration 0001)."""

from __future__ import annotations

from django.conf import settings

from backups import services


def daily_backup() -> str:
    """Back up the database when BACKUP_SCHEDULE is on; returns what happened, for the task log."""
    if not settings.BACKUP_SCHEDULE:
        return "off (BACKUP_SCHEDULE)"
    written = services.create_backup()
    return f"{written.name}: {written.size} bytes in {written.seconds} s, {len(written.deleted)} deleted"
