"""After a new backup: the newest BACKUP_KEEP_DAILY stay, and the newest of each of the last
BACKUP_KEEP_WEEKLY weeks that have one; other files in the storage are not ours to delete."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.core.management import call_command
from django.db import connection
from pytest_django.fixtures import Settings as SettingsWrapper

# Backups read the database from a connection of their own: the rows must be committed.
pytestmark = pytest.mark.django_db(transaction=True)


def _name(day: str) -> str:
    engine = "postgresql" if connection.vendor == "postgresql" else "sqlite"
    return f"smart-invoice-{engine}-{day.replace('-', '')}T020000Z.dump.enc"


def test_a_new_backup_prunes_to_the_newest_days_and_one_a_week(backup_storage: Storage, settings: SettingsWrapper):
    settings.BACKUP_KEEP_DAILY = 3
    settings.BACKUP_KEEP_WEEKLY = 3
    # Weeks (Monday to Sunday): 16-22 March, 9-15 March, 2-8 March, 23 February-1 March 2026.
    older = ["2026-03-19", "2026-03-18", "2026-03-17", "2026-03-16", "2026-03-15", "2026-03-14", "2026-03-10"]
    older += ["2026-03-03", "2026-02-24"]
    for day in older:
        backup_storage.save(_name(day), ContentFile(b"an older backup"))
    backup_storage.save("notes.txt", ContentFile(b"not a backup"))

    with time_machine.travel(datetime.datetime(2026, 3, 20, 2, 0, tzinfo=datetime.UTC), tick=False):
        call_command("backup")

    kept = sorted(backup_storage.listdir("")[1])
    expected = [_name(day) for day in ("2026-03-20", "2026-03-19", "2026-03-18", "2026-03-15", "2026-03-03")]
    assert kept == sorted([*expected, "notes.txt"])


def test_without_older_backups_the_new_one_is_all_there_is(backup_storage: Storage):
    with time_machine.travel(datetime.datetime(2026, 3, 20, 2, 0, tzinfo=datetime.UTC), tick=False):
        call_command("backup")

    assert backup_storage.listdir("")[1] == [_name("2026-03-20")]
