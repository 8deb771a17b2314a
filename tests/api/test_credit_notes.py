"""`/api/v1/credit-notes/`: credit notes of an invoice's own lines, never more than invoiced."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from api.models import Scope
from core.models import AuditEvent, Organization, Role
from invoices.models import CreditNote, Invoice
from tests.api.conftest import ApiClientFor
from tests.factories import make_credit_note, make_invoice

pytestmark = pytest.mark.django_db


def credit_body(invoice: Invoice, **fields: Any) -> dict[str, Any]:
    return {"invoice": invoice.pk, "issue_date": "2026-03-20", "reason": "Returned", **fields}


def line_of(invoice: Invoice, quantity: str) -> dict[str, Any]:
    return {"description": "Line 1", "quantity": quantity, "unit_price": "50.00", "vat_rate": "21"}


def test_lines_left_out_credit_all_that_is_left(api: APIClient, organization: Organization) -> None:
    invoice = make_invoice(organization)
    response = api.post("/api/v1/credit-notes/", credit_body(invoice), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["total"], body["invoice"], body["reason"], len(body["lines"])) == ("121.00", invoice.pk, "Returned", 1)
    invoice.refresh_from_db()
    assert (invoice.status, str(invoice.balance_due)) == ("paid", "0.00")
    assert AuditEvent.objects.filter(action="credit_note.issued", target_id=str(body["id"])).exists()


def test_credit_part_of_a_line(api: APIClient, organization: Organization) -> None:
    invoice = make_invoice(organization)
    response = api.post("/api/v1/credit-notes/", credit_body(invoice, lines=[line_of(invoice, "1")]), format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["total"] == "60.50"
    assert api.get(f"/api/v1/credit-notes/{response.json()['id']}/").json() == response.json()


def test_never_more_than_invoiced(api: APIClient, organization: Organization) -> None:
    invoice = make_invoice(organization)
    assert api.post("/api/v1/credit-notes/", credit_body(invoice, lines=[line_of(invoice, "1")])).status_code == 201
    response = api.post("/api/v1/credit-notes/", credit_body(invoice, lines=[line_of(invoice, "2")]), format="json")
    assert response.status_code == 422
    assert "only €50.00 is left to credit" in response.json()["error"]["message"]
    assert CreditNote.objects.filter(invoice=invoice).count() == 1


def test_a_line_not_on_the_invoice_is_refused(api: APIClient, organization: Organization) -> None:
    invoice = make_invoice(organization)
    other = line_of(invoice, "1") | {"description": "Something else"}
    response = api.post("/api/v1/credit-notes/", credit_body(invoice, lines=[other]), format="json")
    assert response.status_code == 422
    assert "is not on invoice" in response.json()["error"]["message"]


def test_a_draft_cannot_be_credited(api: APIClient, organization: Organization) -> None:
    draft = make_invoice(organization, sent=False)
    response = api.post("/api/v1/credit-notes/", credit_body(draft), format="json")
    assert response.status_code == 422
    assert not CreditNote.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (
            {"lines": [{"description": "Line 1", "quantity": "-1", "unit_price": "50.00", "vat_rate": "21"}]},
            "lines.0.quantity",
        ),
        ({"lines": [{"description": "Line 1", "quantity": "1"}]}, "lines.0.unit_price"),
        ({"issue_date": "tomorrow"}, "issue_date"),
        ({"issue_date": None}, "issue_date"),
        ({"invoice": "abc"}, "invoice"),
    ],
)
def test_bad_input_answers_400_with_the_field(
    api: APIClient, organization: Organization, change: dict[str, Any], field: str
) -> None:
    response = api.post("/api/v1/credit-notes/", credit_body(make_invoice(organization)) | change, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["details"]


def test_roles_and_scopes(api_for: ApiClientFor, organization: Organization) -> None:
    invoice = make_invoice(organization)
    viewer = api_for(organization, role=Role.VIEWER)
    assert viewer.get("/api/v1/credit-notes/").status_code == 200
    assert viewer.post("/api/v1/credit-notes/", credit_body(invoice), format="json").status_code == 403
    reader = api_for(organization, scope=Scope.READ)
    assert reader.post("/api/v1/credit-notes/", credit_body(invoice), format="json").status_code == 403
    assert not CreditNote.objects.exists()


def test_list_filters_by_invoice(api: APIClient, organization: Organization) -> None:
    first, second = make_credit_note(organization), make_credit_note(organization)
    rows = api.get(f"/api/v1/credit-notes/?invoice={second.invoice_id}").json()["data"]
    assert [row["id"] for row in rows] == [second.pk]
    assert [row["id"] for row in api.get("/api/v1/credit-notes/?ordering=id").json()["data"]] == [first.pk, second.pk]


def _list_queries(api: APIClient) -> int:
    api.get("/api/v1/credit-notes/?limit=1")  # the key's first use of the minute is noted: not counted
    with CaptureQueriesContext(connection) as queries:
        assert api.get("/api/v1/credit-notes/?limit=100").status_code == 200
    return len(queries)


def test_list_queries_do_not_grow_with_the_credit_notes(api: APIClient, organization: Organization) -> None:
    for _ in range(3):
        make_credit_note(organization)
    few = _list_queries(api)
    for _ in range(20):
        make_credit_note(organization)
    assert _list_queries(api) == few
