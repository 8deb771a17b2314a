"""Secrets at rest: Fernet keys from the environment, newest first, all of them decrypt."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from core import crypto

OLD, NEW = Fernet.generate_key().decode(), Fernet.generate_key().decode()


def test_round_trip_hides_the_plaintext():
    token = crypto.encrypt("refresh-token-123")

    assert "refresh-token-123" not in token
    assert crypto.decrypt(token) == "refresh-token-123"


def test_a_new_first_key_still_reads_old_secrets_and_rotation_moves_them():
    with override_settings(FIELD_ENCRYPTION_KEYS=[OLD]):
        token = crypto.encrypt("api-key")
    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW, OLD]):
        assert crypto.decrypt(token) == "api-key"
        rotated = crypto.reencrypt(token)
    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW]):
        assert crypto.decrypt(rotated) == "api-key"
        with pytest.raises(crypto.InvalidToken):
            crypto.decrypt(token)


def test_a_malformed_key_is_a_configuration_error():
    with override_settings(FIELD_ENCRYPTION_KEYS=["not-a-fernet-key"]), pytest.raises(ImproperlyConfigured):
        crypto.encrypt("x")
