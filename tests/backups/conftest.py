"""Backups are written to a folder of each test's own."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import Storage, storages
from pytest_django.fixtures import Settings as SettingsWrapper


@pytest.fixture
def backup_storage(settings: SettingsWrapper, tmp_path: Path) -> Storage:
    stores: dict[str, Any] = {**settings.STORAGES}
    stores["backups"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(tmp_path / "backups")},
    }
    settings.STORAGES = stores
    return storages["backups"]
