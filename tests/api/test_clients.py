"""`/api/v1/clients/`: the client screen's rules through the API, audited, one organisation's."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from core.models import AuditEvent, Organization
from invoices.models import Client
from tests.factories import make_client

pytestmark = pytest.mark.django_db


def test_create_client_with_its_ibans_is_audited(api: APIClient, organization: Organization) -> None:
    response = api.post(
        "/api/v1/clients/",
        {"name": "Brouwerij Het Anker", "country": "be", "ibans": ["be68 5390 0754 7034"], "currency": "EUR"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["ibans"] == ["BE68539007547034"]
    assert body["country"] == "BE"
    assert body["opening_balance"] == "0.00"
    client = Client.objects.get(pk=body["id"], organization=organization)
    assert AuditEvent.objects.filter(action="client.created", target_id=str(client.pk)).exists()


def test_invalid_iban_answers_400_with_the_field(api: APIClient) -> None:
    response = api.post("/api/v1/clients/", {"name": "X", "ibans": ["BE00 0000"]}, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert list(error["details"]) == ["ibans"]


def test_partial_update_keeps_what_it_leaves_out(api: APIClient, organization: Organization) -> None:
    client = make_client(organization, name="Old name", email="pay@example.com")
    response = api.patch(f"/api/v1/clients/{client.pk}/", {"name": "New name"}, format="json")
    assert response.status_code == 200, response.json()
    client.refresh_from_db()
    assert (client.name, client.email) == ("New name", "pay@example.com")


def test_list_pages_and_searches(api: APIClient, organization: Organization) -> None:
    for n in range(5):
        make_client(organization, name=f"Client {n}")
    make_client(organization, name="Zebra Logistics")
    first = api.get("/api/v1/clients/?limit=2&ordering=name").json()
    assert [c["name"] for c in first["data"]] == ["Client 0", "Client 1"]
    second = api.get(first["next"]).json()
    assert [c["name"] for c in second["data"]] == ["Client 2", "Client 3"]
    found = api.get("/api/v1/clients/?q=zebra").json()
    assert [c["name"] for c in found["data"]] == ["Zebra Logistics"]
    assert found["next"] is None


def test_another_organisations_client_is_404(api: APIClient, other_organization: Organization) -> None:
    theirs = make_client(other_organization)
    response = api.get(f"/api/v1/clients/{theirs.pk}/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert api.patch(f"/api/v1/clients/{theirs.pk}/", {"name": "Mine"}, format="json").status_code == 404
