"""Backups are written to a folder of each test's own, and again to a bucket of its own on moto's
S3 server (AWS's S3 API as moto implements it), served on a real 127.0.0.1 socket."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from django.core.files.storage import Storage, storages
from moto.server import ThreadedMotoServer
from pytest_django.fixtures import Settings as SettingsWrapper

REGION = "eu-west-1"
# moto accepts any key until its authentication is switched on (tests/backups/test_s3_errors.py).
ACCESS_KEY_ID = "AKIABACKUPTESTS00000"
SECRET_ACCESS_KEY = "backup-tests-secret"
PREFIX = "smart-invoice/nightly"


@dataclass(frozen=True)
class S3Server:
    endpoint_url: str

    def client(self) -> Any:
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint_url,
            region_name=REGION,
            aws_access_key_id=ACCESS_KEY_ID,
            aws_secret_access_key=SECRET_ACCESS_KEY,
        )

    def new_bucket(self) -> str:
        name = f"backups-{uuid.uuid4().hex[:12]}"
        self.client().create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
        return name


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Server]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield S3Server(endpoint_url=f"http://{host}:{port}")
    server.stop()


def s3_options(server: S3Server, bucket: str, **overrides: Any) -> dict[str, Any]:
    """What config/settings.py gives the S3Storage, pointed at moto."""
    return {
        "bucket_name": bucket,
        "endpoint_url": server.endpoint_url,
        "region_name": REGION,
        "access_key": ACCESS_KEY_ID,
        "secret_key": SECRET_ACCESS_KEY,
        "location": PREFIX,
        "default_acl": None,
        "querystring_auth": True,
        "file_overwrite": False,
        # Smaller than a dump, so a restore's download spills to disk as a large one does.
        "max_memory_size": 16 * 1024,
        **overrides,
    }


def use_backup_storage(settings: SettingsWrapper, backend: str, options: dict[str, Any]) -> Storage:
    stores: dict[str, Any] = {**settings.STORAGES}
    stores["backups"] = {"BACKEND": backend, "OPTIONS": options}
    settings.STORAGES = stores
    return storages["backups"]


@pytest.fixture
def s3_bucket(s3_server: S3Server) -> str:
    return s3_server.new_bucket()


@pytest.fixture(params=["folder", "s3"])
def backup_storage(request: pytest.FixtureRequest, settings: SettingsWrapper, tmp_path: Path) -> Storage:
    if request.param == "folder":
        return use_backup_storage(
            settings, "django.core.files.storage.FileSystemStorage", {"location": str(tmp_path / "backups")}
        )
    server: S3Server = request.getfixturevalue("s3_server")
    return use_backup_storage(settings, "storages.backends.s3.S3Storage", s3_options(server, server.new_bucket()))
