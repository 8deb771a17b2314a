"""Callers of the public API: a program with an API key, for the organisation fixture."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

from api.models import Scope
from core.models import Organization, Role
from tests.factories import make_api_key

ApiClientFor = Callable[..., APIClient]


def client_with(token: str) -> APIClient:
    client = APIClient(HTTP_HOST="localhost")
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


@pytest.fixture
def api_for(db: None) -> ApiClientFor:
    """`api_for(organization, role=..., scope=...)`: a client sending a new key of that member."""

    def make(organization: Organization, role: Role = Role.ADMIN, scope: Scope = Scope.WRITE) -> APIClient:
        _, token = make_api_key(organization, role, scope)
        return client_with(token)

    return make


@pytest.fixture
def api(api_for: ApiClientFor, organization: Organization) -> APIClient:
    """An admin's write key of the organisation fixture."""
    return api_for(organization)
