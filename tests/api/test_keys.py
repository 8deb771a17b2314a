"""API keys: created by admins and shown once, stored as a digest, refused when revoked or expired
or when their creator has left, limited by scope and by their creator's role, audited."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from api.keys import digest
from api.models import ApiKey, Scope
from core.models import AuditEvent, Membership, Organization, Role
from tests.api.conftest import ApiClientFor, client_with
from tests.factories import make_api_key, member
from tests.helpers import logged_in_client

pytestmark = pytest.mark.django_db


def test_admin_creates_a_key_shown_once_and_stored_as_digest(organization: Organization) -> None:
    admin = member(organization, Role.ADMIN)
    browser = logged_in_client(admin)
    response = browser.post("/settings/api-keys/", {"name": "n8n", "scope": "write", "lifetime": "30"})
    assert response.status_code == 200
    token = response.context["token"]
    key = ApiKey.objects.get(organization=organization)
    assert token.startswith(f"{key.prefix}_") and token.encode() in response.content
    assert key.digest == digest(token) and token not in key.digest
    assert key.expires_at is not None and key.expires_at - timezone.now() > datetime.timedelta(days=29)
    assert AuditEvent.objects.filter(action="api_key.created", target_id=str(key.pk), actor=admin).exists()
    again = browser.get("/settings/api-keys/")
    assert token.encode() not in again.content and key.prefix.encode() in again.content
    assert client_with(token).get("/api/v1/clients/").status_code == 200


def test_finance_member_cannot_manage_keys(organization: Organization) -> None:
    browser = logged_in_client(member(organization, Role.FINANCE))
    assert browser.get("/settings/api-keys/").status_code == 403
    assert browser.post("/settings/api-keys/", {"name": "x", "scope": "read"}).status_code == 403
    assert not ApiKey.objects.exists()


def test_revoked_key_is_refused(organization: Organization) -> None:
    key, token = make_api_key(organization)
    admin = member(organization, Role.ADMIN)
    response = logged_in_client(admin).post(f"/settings/api-keys/{key.pk}/revoke/")
    assert response.status_code == 302
    refused = client_with(token).get("/api/v1/clients/")
    assert refused.status_code == 401
    assert refused.json()["error"]["message"] == "This API key was revoked."
    assert refused.headers["WWW-Authenticate"].startswith("Bearer")
    assert AuditEvent.objects.filter(action="api_key.revoked", target_id=str(key.pk)).exists()


def test_expired_key_is_refused(organization: Organization) -> None:
    _, token = make_api_key(organization, expires_at=timezone.now() + datetime.timedelta(days=1))
    assert client_with(token).get("/api/v1/clients/").status_code == 200
    with time_machine.travel(timezone.now() + datetime.timedelta(days=2)):
        response = client_with(token).get("/api/v1/clients/")
    assert response.status_code == 401
    assert "expired" in response.json()["error"]["message"]


def test_key_of_a_member_who_left_is_refused(organization: Organization) -> None:
    key, token = make_api_key(organization)
    Membership.objects.filter(user=key.created_by).delete()
    assert client_with(token).get("/api/v1/clients/").status_code == 401


@pytest.mark.parametrize("token", ["", "sik_nothing", "sik_AAAAAAAAAA_" + "x" * 40, "Basic abc"])
def test_unknown_or_missing_credentials_are_401(token: str) -> None:
    client = APIClient(HTTP_HOST="localhost")
    if token:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    response = client.get("/api/v1/clients/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] in {"not_authenticated", "authentication_failed"}


def test_read_scoped_key_cannot_write(api_for: ApiClientFor, organization: Organization) -> None:
    reader = api_for(organization, Role.OWNER, Scope.READ)
    assert reader.get("/api/v1/clients/").status_code == 200
    response = reader.post("/api/v1/clients/", {"name": "New"}, format="json")
    assert response.status_code == 403
    assert response.json()["error"] == {
        "code": "permission_denied",
        "message": "This API key may only read.",
        "details": {},
    }


def test_key_never_does_more_than_its_creators_role(api_for: ApiClientFor, organization: Organization) -> None:
    viewer = api_for(organization, Role.VIEWER, Scope.WRITE)
    assert viewer.get("/api/v1/clients/").status_code == 200
    response = viewer.post("/api/v1/clients/", {"name": "New"}, format="json")
    assert response.status_code == 403
    assert "viewer" in response.json()["error"]["message"]


def test_last_use_is_noted(organization: Organization) -> None:
    key, token = make_api_key(organization)
    client_with(token).get("/api/v1/clients/")
    key.refresh_from_db()
    assert key.last_used_at is not None


def test_session_of_a_signed_in_member_works_with_csrf(organization: Organization) -> None:
    browser = logged_in_client(member(organization, Role.FINANCE))
    browser.handler.enforce_csrf_checks = True
    assert browser.get("/api/v1/clients/").status_code == 200
    refused = browser.post("/api/v1/clients/", {"name": "X"}, content_type="application/json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["error"]["message"]
