"""A backup file that was altered, cut short or encrypted with another key is refused before
anything is written to the target database."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.core.management import CommandError, call_command
from pytest_django.fixtures import Settings as SettingsWrapper

from backups import archive

# Backups read the database from a connection of their own: the rows must be committed.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def backup_bytes(backup_storage: Storage) -> bytes:
    call_command("backup")
    (name,) = backup_storage.listdir("")[1]
    with backup_storage.open(name, "rb") as stored:
        content: bytes = stored.read()
    backup_storage.delete(name)
    return content


def _restore(storage: Storage, content: bytes, target: Path) -> None:
    name = storage.save("smart-invoice-sqlite-20260301T020000Z.dump.enc", ContentFile(content))
    call_command("restore", name, database_url=f"sqlite:///{target}")


def test_a_changed_byte_is_refused(backup_storage: Storage, backup_bytes: bytes, tmp_path: Path):
    altered = bytearray(backup_bytes)
    altered[-40] ^= 0x01
    target = tmp_path / "restored.sqlite3"

    with pytest.raises(CommandError, match="altered"):
        _restore(backup_storage, bytes(altered), target)

    assert not target.exists()


def test_a_file_cut_inside_a_chunk_is_refused(backup_storage: Storage, backup_bytes: bytes, tmp_path: Path):
    target = tmp_path / "restored.sqlite3"

    with pytest.raises(CommandError, match="truncated"):
        _restore(backup_storage, backup_bytes[:-100], target)

    assert not target.exists()


def test_a_file_missing_whole_chunks_is_refused_by_its_size_and_sha256(
    backup_storage: Storage, backup_bytes: bytes, tmp_path: Path
):
    # The magic line and the header frame alone: every chunk frame is authentic, none is there.
    header_length = int.from_bytes(backup_bytes[len(archive.MAGIC) : len(archive.MAGIC) + 4], "big")
    header_only = backup_bytes[: len(archive.MAGIC) + 4 + header_length]
    target = tmp_path / "restored.sqlite3"

    with pytest.raises(CommandError, match="incomplete or altered"):
        _restore(backup_storage, header_only, target)

    assert not target.exists()


def test_a_backup_under_another_key_is_refused(
    backup_storage: Storage, backup_bytes: bytes, settings: SettingsWrapper, tmp_path: Path
):
    settings.BACKUP_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]

    with pytest.raises(CommandError, match="none of the keys"):
        _restore(backup_storage, backup_bytes, tmp_path / "restored.sqlite3")


def test_the_old_key_still_opens_a_backup_once_a_new_key_is_put_first(backup_bytes: bytes, settings: SettingsWrapper):
    settings.BACKUP_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), *settings.BACKUP_ENCRYPTION_KEYS]
    plaintext = io.BytesIO()

    header = archive.decrypt(io.BytesIO(backup_bytes), plaintext, archive.backup_fernet())

    assert header.size == len(plaintext.getvalue()) > 0
    assert header.sha256 == hashlib.sha256(plaintext.getvalue()).hexdigest()
