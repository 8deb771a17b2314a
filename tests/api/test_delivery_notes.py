"""`/api/v1/delivery-notes/`: delivery notes checked by the screen's form, turned into invoices."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from api.models import Scope
from core.models import AuditEvent, Organization, Role
from invoices.models import Challan, Invoice
from tests.api.conftest import ApiClientFor
from tests.factories import make_challan, make_client

pytestmark = pytest.mark.django_db


def delivery_body(organization: Organization, **fields: Any) -> dict[str, Any]:
    return {
        "client": make_client(organization).pk,
        "date": "2026-03-01",
        "delivery_address": "Dock 4, Antwerpen",
        "lines": [{"description": "Pallets", "quantity": "4", "vat_rate": "21"}],
        **fields,
    }


def test_create_a_delivery_note_without_prices(api: APIClient, organization: Organization) -> None:
    response = api.post("/api/v1/delivery-notes/", delivery_body(organization), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["lines"][0]["unit_price"], body["invoice"], body["delivery_address"]) == (
        "0.00",
        None,
        "Dock 4, Antwerpen",
    )
    assert AuditEvent.objects.filter(action="challan.created", target_id=str(body["id"])).exists()
    assert api.get(f"/api/v1/delivery-notes/{body['id']}/").json() == body


def test_invoice_action_makes_one_draft_invoice(api: APIClient, organization: Organization) -> None:
    challan = make_challan(organization)
    response = api.post(f"/api/v1/delivery-notes/{challan.pk}/invoice/", format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["status"], body["lines"][0]["quantity"]) == ("draft", "3.000")
    assert Invoice.objects.get(pk=body["id"]).challans.get() == challan
    again = api.post(f"/api/v1/delivery-notes/{challan.pk}/invoice/", format="json")
    assert again.status_code == 422
    assert "already been invoiced" in again.json()["error"]["message"]
    assert api.get("/api/v1/delivery-notes/?invoiced=true").json()["data"][0]["invoice"] == body["id"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"lines": [{"description": "", "quantity": "1", "vat_rate": "21"}]}, "lines.0.description"),
        ({"lines": [{"description": "Pallets", "quantity": "0", "vat_rate": "21"}]}, "lines.0.quantity"),
        ({"lines": []}, "lines"),
        ({"date": "2026-13-01"}, "date"),
        ({"client": 0}, "client"),
    ],
)
def test_bad_input_answers_400_with_the_field(
    api: APIClient, organization: Organization, change: dict[str, Any], field: str
) -> None:
    response = api.post("/api/v1/delivery-notes/", delivery_body(organization) | change, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["details"]
    assert not Challan.objects.exists()


def test_roles_and_scopes(api_for: ApiClientFor, organization: Organization) -> None:
    challan = make_challan(organization)
    viewer = api_for(organization, role=Role.VIEWER)
    assert viewer.get(f"/api/v1/delivery-notes/{challan.pk}/").status_code == 200
    assert viewer.post("/api/v1/delivery-notes/", delivery_body(organization), format="json").status_code == 403
    assert viewer.post(f"/api/v1/delivery-notes/{challan.pk}/invoice/").status_code == 403
    reader = api_for(organization, scope=Scope.READ)
    assert reader.post(f"/api/v1/delivery-notes/{challan.pk}/invoice/").status_code == 403
    assert not Invoice.objects.exists()


def _list_queries(api: APIClient) -> int:
    api.get("/api/v1/delivery-notes/?limit=1")  # the key's first use of the minute is noted: not counted
    with CaptureQueriesContext(connection) as queries:
        assert api.get("/api/v1/delivery-notes/?limit=100").status_code == 200
    return len(queries)


def test_list_queries_do_not_grow_with_the_delivery_notes(api: APIClient, organization: Organization) -> None:
    for _ in range(3):
        make_challan(organization)
    few = _list_queries(api)
    for _ in range(30):
        make_challan(organization)
    assert _list_queries(api) == few
