"""Every error of the API has one shape and the right status; a rate per key answers 429 with
Retry-After."""

from __future__ import annotations

import pytest
from pytest_django.fixtures import Settings as SettingsWrapper
from rest_framework.test import APIClient

from core.models import Organization
from tests.api.conftest import ApiClientFor

pytestmark = pytest.mark.django_db


def test_unknown_path_is_json_404(api: APIClient) -> None:
    response = api.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_malformed_json_is_400(api: APIClient) -> None:
    response = api.post("/api/v1/clients/", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"


def test_unsupported_media_type_is_415(api: APIClient) -> None:
    response = api.post("/api/v1/clients/", "name=x", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_media_type"


def test_method_not_allowed_is_405(api: APIClient) -> None:
    response = api.delete("/api/v1/clients/")
    assert response.status_code == 405
    assert set(response.json()["error"]) == {"code", "message", "details"}


def test_bad_cursor_is_400_not_404(api: APIClient) -> None:
    response = api.get("/api/v1/clients/?cursor=garbage")
    assert response.status_code == 400
    assert list(response.json()["error"]["details"]) == ["cursor"]


def test_rate_limit_per_key_answers_429_with_retry_after(api: APIClient, settings: SettingsWrapper) -> None:
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "api": "3/m"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    statuses = [api.get("/api/v1/clients/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = api.get("/api/v1/clients/")
    assert response.json()["error"]["code"] == "throttled"
    assert 0 < int(response.headers["Retry-After"]) <= 60


def test_rate_is_counted_per_key(api_for: ApiClientFor, organization: Organization, settings: SettingsWrapper) -> None:
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "api": "2/m"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    first, second = api_for(organization), api_for(organization)
    assert [first.get("/api/v1/clients/").status_code for _ in range(3)] == [200, 200, 429]
    assert second.get("/api/v1/clients/").status_code == 200
