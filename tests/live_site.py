"""The service served live on a real local socket, for the providers' simulators to call back:
webhooks, status callbacks, return URLs and our own PDF links are built from SITE_URL, which
points here. Test packages that need it import both fixtures into their conftest."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytest_django.fixtures import Settings as SettingsWrapper
from pytest_django.live_server_helper import LiveServer


@pytest.fixture(scope="session")
def live_server() -> Iterator[LiveServer]:
    """On 127.0.0.1 (not `localhost`, which may resolve to ::1), on a free port."""
    server = LiveServer("127.0.0.1:0")
    yield server
    server.stop()


@pytest.fixture
def site(live_server: LiveServer, settings: SettingsWrapper) -> str:
    """The service as the providers reach it."""
    settings.SITE_URL = live_server.url
    settings.ALLOWED_HOSTS = ["*"]
    return str(live_server.url)
