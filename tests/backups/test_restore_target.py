"""A restore goes only into an empty database: one with any table is refused and left as it was."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from django.core.files.storage import Storage
from django.core.management import CommandError, call_command

from core.models import Organization
from tests.factories import OrganizationFactory

# Backups read the database from a connection of their own: the rows must be committed.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def backup_name(backup_storage: Storage) -> str:
    call_command("backup")
    (name,) = backup_storage.listdir("")[1]
    return name


def test_restoring_over_the_service_database_is_refused(backup_name: str):
    OrganizationFactory.create(name="Still Here BV")

    with pytest.raises(CommandError, match="is not empty"):
        call_command("restore", backup_name)

    assert Organization.objects.filter(name="Still Here BV").exists()


def test_a_target_with_a_table_is_refused_and_left_alone(backup_name: str, tmp_path: Path):
    target = tmp_path / "in-use.sqlite3"
    with sqlite3.connect(target) as db:
        db.execute("CREATE TABLE notes (body TEXT)")
        db.execute("INSERT INTO notes VALUES ('keep me')")

    with pytest.raises(CommandError, match=r"not empty \(1 tables\)"):
        call_command("restore", backup_name, database_url=f"sqlite:///{target}")

    with sqlite3.connect(target) as db:
        assert db.execute("SELECT body FROM notes").fetchall() == [("keep me",)]


def test_an_unknown_backup_name_is_refused(backup_storage: Storage, tmp_path: Path):
    with pytest.raises(CommandError, match="No backup named"):
        call_command(
            "restore", "smart-invoice-sqlite-20200101T000000Z.dump.enc", database_url=f"sqlite:///{tmp_path / 'x'}"
        )
