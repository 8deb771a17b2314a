"""The published schema is valid OpenAPI 3.1 and generated without a warning (a warning is an
operation whose types the schema guesses)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient


def test_schema_generates_valid_without_warnings() -> None:
    out = io.StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", "--format", "openapi-json", stdout=out)
    assert '"openapi": "3.1.0"' in out.getvalue()


@pytest.mark.django_db
def test_schema_is_public_and_documents_errors() -> None:
    response = APIClient(HTTP_HOST="localhost").get("/api/v1/schema/?format=json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"] == "3.1.0"
    errors = schema["paths"]["/api/v1/clients/"]["post"]["responses"]
    assert {"400", "401", "403", "409", "422", "429"} <= set(errors)
    payments = schema["paths"]["/api/v1/payments/"]["post"]["parameters"]
    assert any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in payments)
