"""Model fields whose values are encrypted at rest with the FIELD_ENCRYPTION_KEYS."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.expressions import Expression

from core import crypto


class EncryptedTextField(models.TextField):  # type: ignore[type-arg]
    """A secret: Fernet ciphertext in the database, plain text in Python.

    The stored value cannot be searched or compared in SQL; a database dump shows only
    ciphertext. `manage.py rotate_encryption_keys` re-encrypts every value under the newest key.
    """

    description = "Encrypted text"

    def from_db_value(self, value: str | None, expression: Expression, connection: BaseDatabaseWrapper) -> str | None:
        return None if value is None else crypto.decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        return None if value is None else crypto.encrypt(str(value))
