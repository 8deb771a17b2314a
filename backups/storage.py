"""The backups storage: a folder (BACKUP_DIR) or an S3-compatible bucket (BACKUP_S3_BUCKET).

The S3 SDK's failures (credentials refused, no such bucket, no answer) become a BackupError that
names the setting to check, so the commands and the task log say what is wrong in one line.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.core.files.storage import Storage, storages

from backups.errors import BackupError

_CHECK = {
    "NoSuchBucket": "check BACKUP_S3_BUCKET, BACKUP_S3_ENDPOINT_URL and BACKUP_S3_REGION",
    "InvalidAccessKeyId": "check BACKUP_S3_ACCESS_KEY_ID",
    "SignatureDoesNotMatch": "check BACKUP_S3_SECRET_ACCESS_KEY",
    "AccessDenied": "the key needs s3:ListBucket, s3:GetObject, s3:PutObject and s3:DeleteObject on the bucket",
}


class StorageError(BackupError):
    """The backups storage refused a request or could not be reached."""


def backup_storage() -> Storage:
    if "backups" not in settings.STORAGES:
        raise BackupError(
            "BACKUP_S3_BUCKET or BACKUP_DIR must be set when DEBUG is off: there is nowhere to write backups."
        )
    return storages["backups"]


@contextmanager
def storage_errors() -> Iterator[None]:
    """Turn the S3 SDK's exceptions raised inside the block into a StorageError."""
    try:
        yield
    except ClientError as exc:
        error = exc.response.get("Error", {})
        code = str(error.get("Code", "unknown"))
        check = _CHECK.get(code, "check the BACKUP_S3_* settings")
        raise StorageError(
            f"The S3 backups storage refused {exc.operation_name}: {code} ({error.get('Message', '')}); {check}."
        ) from exc
    except BotoCoreError as exc:
        raise StorageError(f"The S3 backups storage could not be used: {exc}") from exc


def top_level_files(storage: Storage) -> list[str]:
    """The names of the files at the top of the storage (under BACKUP_S3_PREFIX on S3)."""
    try:
        return storage.listdir("")[1]
    except FileNotFoundError:
        return []  # the folder is made by the first backup
