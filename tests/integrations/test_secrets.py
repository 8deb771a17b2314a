"""No token, secret or key in plain text in the database, and keys rotate."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection as db
from django.test import override_settings

from core import crypto
from integrations.models import Credential
from tests.factories import make_connection

pytestmark = pytest.mark.django_db

SECRETS = {
    "access_token": "access-9f8e7d6c5b4a",
    "refresh_token": "refresh-0a1b2c3d4e5f",
    "api_key": "yuki-key-77aa88bb",
}


def raw_dump() -> str:
    """Every row of every table as the database holds it: what a backup would contain."""
    lines: list[str] = []
    with db.cursor() as cursor:
        for table in db.introspection.table_names():
            cursor.execute(f"SELECT * FROM {db.ops.quote_name(table)}")  # noqa: S608 - table names from the schema
            lines.extend(" ".join(map(str, row)) for row in cursor.fetchall())
    return "\n".join(lines)


def test_a_database_dump_shows_no_credential_in_plain_text(organization):
    Credential.objects.create(connection=make_connection(organization), **SECRETS)

    dump = raw_dump()

    for value in SECRETS.values():
        assert value not in dump
    assert Credential.objects.get().refresh_token == SECRETS["refresh_token"]


def test_rotation_re_encrypts_every_secret_under_the_new_key(organization, settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    with override_settings(FIELD_ENCRYPTION_KEYS=[old]):
        Credential.objects.create(connection=make_connection(organization), **SECRETS)

    with override_settings(FIELD_ENCRYPTION_KEYS=[new, old]):
        call_command("rotate_encryption_keys")

    with override_settings(FIELD_ENCRYPTION_KEYS=[new]):
        assert Credential.objects.get().api_key == SECRETS["api_key"]
        with db.cursor() as cursor:
            cursor.execute("SELECT refresh_token FROM integrations_credential")
            (stored,) = cursor.fetchone()
        assert crypto.decrypt(stored) == SECRETS["refresh_token"]
