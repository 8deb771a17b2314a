"""In a bucket, the backups are the objects directly under BACKUP_S3_PREFIX: retention never
deletes an object elsewhere in the bucket, even one named like a backup."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from pytest_django.fixtures import Settings as SettingsWrapper

from tests.backups.conftest import PREFIX, S3Server, s3_options, use_backup_storage

OLD = "smart-invoice-sqlite-20260301T020000Z.dump.enc"


@pytest.mark.django_db(transaction=True)
def test_retention_deletes_only_old_backups_under_the_prefix(
    s3_server: S3Server, s3_bucket: str, settings: SettingsWrapper
):
    settings.BACKUP_KEEP_DAILY = 1
    settings.BACKUP_KEEP_WEEKLY = 0
    use_backup_storage(settings, "storages.backends.s3.S3Storage", s3_options(s3_server, s3_bucket))
    client = s3_server.client()
    elsewhere = [OLD, f"smart-invoice/{OLD}", f"{PREFIX}/archive/{OLD}", f"{PREFIX}-copy/{OLD}"]
    for key in [*elsewhere, f"{PREFIX}/{OLD}"]:
        client.put_object(Bucket=s3_bucket, Key=key, Body=b"an older backup")

    with time_machine.travel(datetime.datetime(2026, 3, 20, 2, 0, tzinfo=datetime.UTC), tick=False):
        call_command("backup")

    keys = sorted(entry["Key"] for entry in client.list_objects_v2(Bucket=s3_bucket)["Contents"])
    engine = "postgresql" if connection.vendor == "postgresql" else "sqlite"
    assert keys == sorted([*elsewhere, f"{PREFIX}/smart-invoice-{engine}-20260320T020000Z.dump.enc"])
