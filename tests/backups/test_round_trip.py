"""A backup counts once it has been restored: back up the suite's database, restore it into a new
one, and find every table with the same rows."""

from __future__ import annotations

import datetime
import hashlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg2  # type: ignore[import-untyped]
import pytest
from django.core.files.storage import Storage
from django.core.management import call_command
from django.db import connection

from banking.models import BankTransaction
from core.models import AuditEvent, Role
from invoices.models import Invoice
from tests.factories import OrganizationFactory, add_transactions, make_bank_account, make_invoice, member, pay

Fingerprints = dict[str, tuple[int, str]]
# A table's rows as text, in one fixed order, hashed (PostgreSQL).
_ROWS_CHECKSUM = "count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), ''))"


def _make_some_rows() -> None:
    organization = OrganizationFactory.create(name="Backed Up BV")
    member(organization, Role.OWNER, email="owner@backedup.example")
    invoice = make_invoice(organization)
    pay(invoice, "21.00")
    add_transactions(make_bank_account(organization, "1000.00"), (datetime.date(2026, 3, 2), "-12.34"))


def _postgresql_fingerprints(cursor: Any) -> Fingerprints:
    """Each table's row count and the md5 of its rows as text, in a fixed order."""
    cursor.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
    )
    fingerprints = {}
    for (table,) in cursor.fetchall():
        cursor.execute(f'SELECT {_ROWS_CHECKSUM} FROM "{table}" t')  # noqa: S608 - names from the catalogue
        count, checksum = cursor.fetchone()
        fingerprints[table] = (count, checksum)
    return fingerprints


def _sqlite_fingerprints(cursor: Any) -> Fingerprints:
    """Each table's row count and the sha256 of its rows' reprs, sorted."""
    cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    fingerprints = {}
    for (table,) in cursor.fetchall():
        cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608
        rows = sorted(repr(tuple(row)) for row in cursor.fetchall())
        fingerprints[table] = (len(rows), hashlib.sha256("|".join(rows).encode()).hexdigest())
    return fingerprints


def _source_fingerprints() -> Fingerprints:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            return _postgresql_fingerprints(cursor)
    # Read with plain sqlite3, as the restored copy is: Django's cursor converts dates and decimals.
    source = sqlite3.connect(connection.settings_dict["NAME"], uri=True)
    try:
        return _sqlite_fingerprints(source.cursor())
    finally:
        source.close()


@pytest.fixture
def restored_postgresql_url() -> Iterator[str]:
    """A new, empty PostgreSQL database beside the test database, dropped afterwards."""
    params = connection.settings_dict
    name = f"{params['NAME']}_restored"
    server = {
        "dbname": "postgres",
        "user": params["USER"] or None,
        "password": params["PASSWORD"] or None,
        "host": params["HOST"] or None,
        "port": params["PORT"] or None,
    }
    admin = psycopg2.connect(**server)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    user = f"{params['USER']}@" if params["USER"] else ""
    yield f"postgres://{user}{params['HOST'] or '127.0.0.1'}:{params['PORT'] or 5432}/{name}"
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


def _backup_and_restore_into(url: str, storage: Storage) -> None:
    call_command("backup")
    (name,) = storage.listdir("")[1]
    call_command("restore", name, database_url=url)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_postgresql_backup_restores_every_table_row_for_row(backup_storage: Storage, restored_postgresql_url: str):
    if connection.vendor != "postgresql":
        pytest.skip("the PostgreSQL round trip runs on the PostgreSQL leg")
    _make_some_rows()
    # The audit event of the backup is written after the dump: the restored copy is the database
    # as it was when the backup began.
    before = _source_fingerprints()

    _backup_and_restore_into(restored_postgresql_url, backup_storage)

    restored = psycopg2.connect(restored_postgresql_url)
    try:
        with restored.cursor() as cursor:
            after = _postgresql_fingerprints(cursor)
    finally:
        restored.close()
    assert before[Invoice._meta.db_table][0] == 1
    assert before[BankTransaction._meta.db_table][0] == 1
    assert after == before
    assert AuditEvent.objects.filter(action="backup.created").count() == 1


@pytest.mark.django_db(transaction=True)
def test_sqlite_backup_restores_every_table_row_for_row(backup_storage: Storage, tmp_path: Path):
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite round trip runs on the embedded-defaults leg")
    _make_some_rows()
    before = _source_fingerprints()
    target = tmp_path / "restored.sqlite3"

    _backup_and_restore_into(f"sqlite:///{target}", backup_storage)

    restored = sqlite3.connect(target)
    try:
        after = _sqlite_fingerprints(restored.cursor())
    finally:
        restored.close()
    assert before[Invoice._meta.db_table][0] == 1
    assert before[BankTransaction._meta.db_table][0] == 1
    assert after == before
    assert AuditEvent.objects.filter(action="backup.created").count() == 1
