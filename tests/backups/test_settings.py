"""Production: no backup without its encryption key or a place to write it; the schedule is on."""

from __future__ import annotations

from pathlib import Path

from cryptography.fernet import Fernet

from tests.subprocess_django import run_django

PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "a-production-secret-key-that-is-long-enough-0123456789",
    "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
    "ALLOWED_HOSTS": "invoices.example.com",
}
BACKUP = "from django.core.management import call_command\ncall_command('backup')\nprint('backed up')"


def test_production_refuses_a_backup_without_an_encryption_key(tmp_path: Path):
    result = run_django(
        BACKUP, **PRODUCTION, DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", BACKUP_DIR=str(tmp_path / "b")
    )

    assert result.returncode != 0
    assert "backed up" not in result.stdout
    assert "BACKUP_ENCRYPTION_KEY must be set" in result.stderr
    assert not (tmp_path / "b").exists()


def test_production_refuses_a_backup_with_nowhere_to_write_it(tmp_path: Path):
    result = run_django(
        BACKUP,
        **PRODUCTION,
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        BACKUP_ENCRYPTION_KEY=Fernet.generate_key().decode(),
    )

    assert result.returncode != 0
    assert "BACKUP_S3_BUCKET or BACKUP_DIR must be set" in result.stderr


def test_production_runs_the_daily_backup_and_development_does_not():
    code = "from django.conf import settings; print(settings.BACKUP_SCHEDULE)"

    assert run_django(code, **PRODUCTION).stdout.strip() == "True"
    assert run_django(code, DEBUG="1").stdout.strip() == "False"
