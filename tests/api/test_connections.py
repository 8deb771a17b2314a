"""`/api/v1/connections/`: each connection's sync status, "Sync now" as the connection screen
offers it (queued, 202, rate-limited), and never a credential in a body."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone
from pytest_django.fixtures import Settings as SettingsWrapper
from rest_framework.test import APIClient

from api.models import Scope
from core.models import Organization, Role
from integrations.models import ConnectionStatus, Credential
from tests.api.conftest import ApiClientFor
from tests.factories import make_connection

pytestmark = pytest.mark.django_db

URL = "/api/v1/connections/"
LIST_QUERIES = 4  # the key, its member, its last use, the page
ACCESS_TOKEN = "access-0123456789abcdef"
REFRESH_TOKEN = "refresh-0123456789abcdef"


def test_status_fields_and_no_credentials(api: APIClient, organization: Organization) -> None:
    expiry = timezone.now() + datetime.timedelta(days=3)
    connection = make_connection(
        organization,
        status=ConnectionStatus.NEEDS_REAUTH,
        last_error="The consent expired.",
        consent_expires_at=expiry,
        config={"administration_id": "secret-administration"},
    )
    Credential.objects.create(connection=connection, access_token=ACCESS_TOKEN, refresh_token=REFRESH_TOKEN)
    response = api.get(f"{URL}{connection.pk}/")
    body = response.json()
    assert (body["provider"], body["status"], body["needs_reauth"], body["syncing"]) == (
        "ponto",
        "needs_reauth",
        True,
        False,
    )
    assert body["last_error"] == "The consent expired."
    assert datetime.datetime.fromisoformat(body["consent_expires_at"]) == expiry
    assert {"last_attempt_at", "last_success_at", "next_run_at", "sync_interval_minutes"} <= set(body)
    listed = api.get(URL).content.decode()
    for secret in (ACCESS_TOKEN, REFRESH_TOKEN, "secret-administration", "token", "credential", "config"):
        assert secret not in response.content.decode()
        assert secret not in listed


def test_sync_queues_one_sync_with_202(api: APIClient, organization: Organization, task_queue: Any) -> None:
    connection = make_connection(organization)
    response = api.post(f"{URL}{connection.pk}/sync/")
    assert response.status_code == 202, response.content
    assert response.json()["queued"] is True
    assert response.json()["connection"]["id"] == connection.pk
    assert task_queue.queue_size() == 1


def test_sync_while_one_runs_queues_nothing(api: APIClient, organization: Organization, task_queue: Any) -> None:
    connection = make_connection(organization, sync_claimed_at=timezone.now())
    response = api.post(f"{URL}{connection.pk}/sync/")
    assert response.status_code == 202
    assert (response.json()["queued"], response.json()["connection"]["syncing"]) == (False, True)
    assert task_queue.queue_size() == 0


def test_sync_of_a_disconnected_connection_is_422(api: APIClient, organization: Organization, task_queue: Any) -> None:
    connection = make_connection(organization, status=ConnectionStatus.DISCONNECTED)
    response = api.post(f"{URL}{connection.pk}/sync/")
    assert response.status_code == 422
    assert task_queue.queue_size() == 0


def test_sync_is_rate_limited_as_on_the_screen(
    api: APIClient, organization: Organization, settings: SettingsWrapper, task_queue: Any
) -> None:
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "sync": "2/m"}
    connection = make_connection(organization)
    assert [api.post(f"{URL}{connection.pk}/sync/").status_code for _ in range(2)] == [202, 202]
    response = api.post(f"{URL}{connection.pk}/sync/")
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "throttled"
    assert 0 < int(response["Retry-After"]) <= 60


def test_viewer_reads_but_cannot_sync(api_for: ApiClientFor, organization: Organization, task_queue: Any) -> None:
    connection = make_connection(organization)
    viewer = api_for(organization, role=Role.VIEWER)
    assert viewer.get(f"{URL}{connection.pk}/").status_code == 200
    assert viewer.post(f"{URL}{connection.pk}/sync/").status_code == 403
    assert api_for(organization, role=Role.FINANCE).post(f"{URL}{connection.pk}/sync/").status_code == 202


def test_read_scoped_key_cannot_sync(api_for: ApiClientFor, organization: Organization, task_queue: Any) -> None:
    connection = make_connection(organization)
    reader = api_for(organization, role=Role.OWNER, scope=Scope.READ)
    assert reader.post(f"{URL}{connection.pk}/sync/").status_code == 403
    assert task_queue.queue_size() == 0


@pytest.mark.parametrize("path", ["99999999999999999999999/", "abc/sync/", "0/sync/"])
def test_unknown_ids_are_404(api: APIClient, path: str) -> None:
    method = api.post if path.endswith("sync/") else api.get
    assert method(f"{URL}{path}").status_code == 404


def test_another_organisations_connections_never_show(
    api: APIClient, organization: Organization, other_organization: Organization
) -> None:
    make_connection(other_organization)
    assert api.get(URL).json()["data"] == []


@pytest.mark.parametrize("rows", [5, 100])
def test_list_queries_do_not_grow_with_rows(
    api: APIClient, organization: Organization, rows: int, django_assert_max_num_queries: Callable[..., Any]
) -> None:
    for _ in range(rows):
        make_connection(organization)
    with django_assert_max_num_queries(LIST_QUERIES):
        body = api.get(f"{URL}?limit=100").json()
    assert len(body["data"]) == rows
