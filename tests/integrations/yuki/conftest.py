"""A live Yuki sandbox for connector tests, and linking it the way a user does."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings

from integrations.models import Connection
from sandboxes.yuki import BE_ACCESS_KEY, YukiSandbox, serve


@pytest.fixture
def yuki(settings: Settings) -> Iterator[YukiSandbox]:
    sandbox = YukiSandbox(seed=2026)
    server, base_url = serve(sandbox)
    settings.YUKI_API_URLS = {"BE": f"{base_url}/be", "NL": f"{base_url}/nl"}
    settings.YUKI_TIMEOUT_SECONDS = 2.0
    settings.PROVIDER_RETRY_BASE_DELAY = 0.01
    try:
        yield sandbox
    finally:
        server.shutdown()


def main_truth(sandbox: YukiSandbox) -> dict[str, Any]:
    administrations: list[dict[str, Any]] = sandbox.ground_truth()["administrations"]  # type: ignore[assignment]
    return next(a for a in administrations if a["id"] == sandbox.administration.id)


def link_yuki(client: Client, sandbox: YukiSandbox, key: str = BE_ACCESS_KEY, region: str = "BE") -> Connection:
    step_one = client.post(reverse("integrations:yuki_connect"), {"access_key": key, "region": region})
    assert step_one.status_code == 302, step_one.content.decode()[:3000]
    step_two = client.post(reverse("integrations:yuki_administration"), {"administration": sandbox.administration.id})
    assert step_two.status_code == 302, step_two.content.decode()[:3000]
    connection = Connection.objects.get(provider="yuki")
    connection.config = {**connection.config, "gl_accounts": ["550000", "570000"]}
    connection.save(update_fields=["config"])
    return connection


def amounts(rows: list[dict[str, Any]], key: str = "openAmount") -> dict[str, Decimal]:
    return {row["id"]: Decimal(row[key]) for row in rows}
