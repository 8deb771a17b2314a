"""Production with BACKUP_S3_* set: the backup goes to the bucket, under the prefix, private to
the bucket's owner, with the server-side encryption asked for, and not to BACKUP_DIR."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from tests.backups.conftest import ACCESS_KEY_ID, REGION, SECRET_ACCESS_KEY, S3Server
from tests.backups.test_settings import PRODUCTION
from tests.subprocess_django import run_django

# The backup's audit event needs the tables; then the one URL the storage would give for it.
BACKUP_AND_URL = """
from django.core.files.storage import storages
from django.core.management import call_command
from backups.services import create_backup
call_command("migrate", verbosity=0)
print(storages["backups"].url(create_backup().name))
"""


@pytest.mark.slow
def test_production_backs_up_to_the_bucket_under_its_prefix_and_privately(
    s3_server: S3Server, s3_bucket: str, tmp_path: Path
):
    result = run_django(
        BACKUP_AND_URL,
        **PRODUCTION,
        BACKUP_S3_BUCKET=s3_bucket,
        BACKUP_S3_ENDPOINT_URL=s3_server.endpoint_url,
        BACKUP_S3_REGION=REGION,
        BACKUP_S3_ACCESS_KEY_ID=ACCESS_KEY_ID,
        BACKUP_S3_SECRET_ACCESS_KEY=SECRET_ACCESS_KEY,
        BACKUP_S3_PREFIX="/production/daily/",
        BACKUP_S3_SERVER_SIDE_ENCRYPTION="AES256",
        BACKUP_DIR=str(tmp_path / "folder"),
        BACKUP_ENCRYPTION_KEY=Fernet.generate_key().decode(),
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
    )

    assert result.returncode == 0, result.stderr
    assert not (tmp_path / "folder").exists()
    client = s3_server.client()
    (stored,) = client.list_objects_v2(Bucket=s3_bucket)["Contents"]
    assert stored["Key"].startswith("production/daily/smart-invoice-sqlite-")
    assert client.head_object(Bucket=s3_bucket, Key=stored["Key"])["ServerSideEncryption"] == "AES256"
    grants = client.get_object_acl(Bucket=s3_bucket, Key=stored["Key"])["Grants"]
    assert [(grant["Grantee"]["Type"], grant["Permission"]) for grant in grants] == [("CanonicalUser", "FULL_CONTROL")]
    # Signed, and expiring: never a public address.
    assert "Signature=" in result.stdout
    assert "Expires=" in result.stdout
