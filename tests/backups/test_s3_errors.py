"""A bucket that is not there, a key S3 does not know, or an endpoint that does not answer: each
is a one-line command error naming what to check, never the SDK's traceback."""

from __future__ import annotations

import socket
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from pytest_django.fixtures import Settings as SettingsWrapper

from tests.backups.conftest import S3Server, s3_options, use_backup_storage

S3_STORAGE = "storages.backends.s3.S3Storage"
pytestmark = pytest.mark.django_db(transaction=True)


def _moto_authentication(server: S3Server, no_auth_requests: str) -> None:
    """moto checks signatures against its IAM keys after this many requests ("inf": never)."""
    request = urllib.request.Request(  # noqa: S310 - moto's own API on 127.0.0.1
        f"{server.endpoint_url}/moto-api/reset-auth",
        data=no_auth_requests.encode(),
        headers={"Content-Type": "text/plain"},
        method="POST",
    )
    with urllib.request.urlopen(request) as response:  # noqa: S310
        assert response.status == 200


@pytest.fixture
def s3_checking_keys(s3_server: S3Server, s3_bucket: str) -> Iterator[None]:
    """From here on (the bucket made), moto refuses keys it has not issued, as S3 does."""
    _moto_authentication(s3_server, "0")
    yield
    _moto_authentication(s3_server, "inf")


def test_a_missing_bucket_is_named_before_anything_is_dumped(s3_server: S3Server, settings: SettingsWrapper):
    use_backup_storage(settings, S3_STORAGE, s3_options(s3_server, "never-created"))

    with pytest.raises(CommandError, match=r"NoSuchBucket .*check BACKUP_S3_BUCKET"):
        call_command("backup")
    with pytest.raises(CommandError, match="NoSuchBucket"):
        call_command("backup", "--list")


def test_a_restore_from_a_missing_bucket_says_so_not_that_the_backup_is_unknown(
    s3_server: S3Server, settings: SettingsWrapper, tmp_path: Path
):
    use_backup_storage(settings, S3_STORAGE, s3_options(s3_server, "never-created"))

    with pytest.raises(CommandError, match="NoSuchBucket"):
        call_command(
            "restore", "smart-invoice-sqlite-20260301T020000Z.dump.enc", database_url=f"sqlite:///{tmp_path / 'x'}"
        )


@pytest.mark.usefixtures("s3_checking_keys")
def test_an_unknown_access_key_is_named(s3_server: S3Server, s3_bucket: str, settings: SettingsWrapper):
    use_backup_storage(settings, S3_STORAGE, s3_options(s3_server, s3_bucket))

    with pytest.raises(CommandError, match=r"InvalidAccessKeyId .*check BACKUP_S3_ACCESS_KEY_ID"):
        call_command("backup")


def test_an_endpoint_that_does_not_answer_is_a_command_error(
    s3_bucket: str, s3_server: S3Server, settings: SettingsWrapper
):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    options = s3_options(s3_server, s3_bucket, endpoint_url=f"http://127.0.0.1:{closed_port}")
    use_backup_storage(settings, S3_STORAGE, options)

    with pytest.raises(CommandError, match="could not be used: Could not connect to the endpoint URL"):
        call_command("backup")
