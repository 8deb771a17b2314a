"""The e-invoice.be access point's simulator on a real local socket, with the settings that point
the service at it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache
from pytest_django.fixtures import Settings as SettingsWrapper

from sandboxes.einvoice import DEFAULT_API_KEY, PREFIX, EInvoiceSandbox, serve

WEBHOOK_SECRET = "whsec-test"


@pytest.fixture
def einvoice_sandbox(settings: SettingsWrapper) -> Iterator[EInvoiceSandbox]:
    sandbox = EInvoiceSandbox(seed=7)
    server, base_url = serve(sandbox)
    settings.EINVOICE_API_URL = f"{base_url}{PREFIX}"
    settings.EINVOICE_API_KEY = DEFAULT_API_KEY
    settings.EINVOICE_TIMEOUT_SECONDS = 1.0
    settings.EINVOICE_WEBHOOK_SECRET = WEBHOOK_SECRET
    cache.clear()  # participant lookups of another sandbox
    yield sandbox
    server.shutdown()
