"""`/api/v1/invoices/`: drafts made and edited through the invoice editor's form and lines,
lists filtered and bounded in queries, roles as on the screens."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from api.models import Scope
from core.models import AuditEvent, Organization, Role
from invoices.models import Invoice, InvoiceStatus
from tests.api.conftest import ApiClientFor
from tests.factories import make_client, make_invoice, make_lines, pay

pytestmark = pytest.mark.django_db


def line(**fields: Any) -> dict[str, Any]:
    return {"description": "Consulting", "quantity": "2", "unit_price": "50.00", "vat_rate": "21", **fields}


def draft_body(organization: Organization, **fields: Any) -> dict[str, Any]:
    client = fields.pop("client", None) or make_client(organization)
    return {"client": client.pk, "issue_date": "2026-03-02", "lines": [line()], **fields}


def test_create_draft_with_its_lines_totals_and_vat_is_audited(api: APIClient, organization: Organization) -> None:
    response = api.post("/api/v1/invoices/", draft_body(organization, notes="March"), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["status"], body["total"], body["balance_due"], body["amount_paid"]) == (
        "draft",
        "121.00",
        "121.00",
        "0.00",
    )
    assert body["due_date"] == "2026-04-01"  # the client's 30 days
    assert body["lines"][0] | {"net_amount": "100.00"} == body["lines"][0]
    assert body["vat_breakdown"] == [
        {"category": "S", "rate": "21.00", "taxable": "100.00", "vat": "21.00", "reason": ""}
    ]
    invoice = Invoice.objects.get(pk=body["id"], organization=organization)
    assert invoice.number == body["number"]
    assert AuditEvent.objects.filter(action="invoice.created", target_id=str(invoice.pk)).exists()


def test_a_bad_line_answers_400_naming_the_line_and_field(api: APIClient, organization: Organization) -> None:
    body = draft_body(organization, lines=[line(), line(quantity="0", vat_rate="7")])
    response = api.post("/api/v1/invoices/", body, format="json")
    assert response.status_code == 400
    details = response.json()["error"]["details"]
    assert set(details) == {"lines.1.quantity", "lines.1.vat_rate"}
    assert not Invoice.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"lines": []}, "lines"),
        ({"lines": "everything"}, "lines"),
        ({"lines": [line(quantity="1e100000")]}, "lines.0.quantity"),
        ({"lines": [line(unit_price="12.345")]}, "lines.0.unit_price"),
        ({"lines": [line(vat_category="XX")]}, "lines.0.vat_category"),
        ({"issue_date": "2026-02-30"}, "issue_date"),
        ({"due_date": "2026-01-01"}, "due_date"),
        ({"currency": "BTC"}, "currency"),
        ({"payment_reference": "123"}, "payment_reference"),
        ({"client": 2**40}, "client"),
        ({"client": "first"}, "client"),
    ],
)
def test_bad_input_answers_400_with_the_field(
    api: APIClient, organization: Organization, change: dict[str, Any], field: str
) -> None:
    response = api.post("/api/v1/invoices/", draft_body(organization) | change, format="json")
    assert response.status_code == 400, response.content
    fields = response.json()["error"]["details"]
    assert field in fields or any(name.startswith(f"{field}.") for name in fields), fields


def test_another_organisations_client_reads_as_unknown(
    api: APIClient, organization: Organization, other_organization: Organization
) -> None:
    theirs = make_client(other_organization)
    response = api.post("/api/v1/invoices/", draft_body(organization, client=theirs), format="json")
    assert response.status_code == 400
    assert list(response.json()["error"]["details"]) == ["client"]


def test_put_replaces_the_lines_and_patch_keeps_them(api: APIClient, organization: Organization) -> None:
    draft = make_invoice(organization, sent=False, lines=make_lines(("1", "10.00", "21"), ("1", "20.00", "6")))
    body = draft_body(organization, client=draft.client, lines=[line(quantity="3", unit_price="100.00")])
    response = api.put(f"/api/v1/invoices/{draft.pk}/", body, format="json")
    assert response.status_code == 200, response.json()
    assert [(item["quantity"], item["unit_price"]) for item in response.json()["lines"]] == [("3.000", "100.00")]
    assert response.json()["total"] == "363.00"
    patched = api.patch(f"/api/v1/invoices/{draft.pk}/", {"notes": "Thanks"}, format="json")
    assert patched.status_code == 200, patched.json()
    draft.refresh_from_db()
    assert (draft.notes, draft.total, draft.items.count()) == ("Thanks", Decimal("363.00"), 1)
    assert AuditEvent.objects.filter(action="invoice.updated", target_id=str(draft.pk)).count() == 2


def test_editing_a_sent_invoice_is_a_conflict(api: APIClient, organization: Organization) -> None:
    sent = make_invoice(organization)
    response = api.patch(f"/api/v1/invoices/{sent.pk}/", {"notes": "Changed"}, format="json")
    assert response.status_code == 409
    assert "Only a draft can be edited" in response.json()["error"]["message"]
    sent.refresh_from_db()
    assert sent.notes == ""


def test_an_idempotent_create_makes_one_invoice(api: APIClient, organization: Organization) -> None:
    body = draft_body(organization)
    first = api.post("/api/v1/invoices/", body, format="json", HTTP_IDEMPOTENCY_KEY="inv-1")
    again = api.post("/api/v1/invoices/", body, format="json", HTTP_IDEMPOTENCY_KEY="inv-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Invoice.objects.filter(organization=organization).count() == 1


def test_list_filters_and_orders(api: APIClient, organization: Organization) -> None:
    client = make_client(organization, name="Zebra")
    small = make_invoice(organization, client, issue_date=datetime.date(2026, 1, 5))
    large = make_invoice(organization, lines=make_lines(("10", "50.00", "21")), issue_date=datetime.date(2026, 2, 5))
    draft = make_invoice(organization, client, sent=False, issue_date=datetime.date(2026, 3, 5))
    Invoice.objects.filter(pk=large.pk).update(status=InvoiceStatus.OVERDUE)

    def ids(query: str) -> list[int]:
        response = api.get(f"/api/v1/invoices/?{query}")
        assert response.status_code == 200, response.json()
        return [row["id"] for row in response.json()["data"]]

    assert ids("ordering=-total")[0] == large.pk
    assert ids("ordering=issue_date") == [small.pk, large.pk, draft.pk]
    assert ids("status=draft") == [draft.pk]
    assert ids(f"client={client.pk}&ordering=id") == [small.pk, draft.pk]
    assert ids("overdue=true") == [large.pk]
    assert large.pk not in ids("overdue=false")
    assert ids("issue_date_from=2026-02-01&issue_date_to=2026-02-28") == [large.pk]
    assert ids(f"q={draft.number}") == [draft.pk]
    assert ids("due_date_to=2026-02-10") == [small.pk]


@pytest.mark.parametrize(
    "query", ["status=lost", f"client={2**40}", "client=abc", "issue_date_from=yesterday", "ordering=secret", "q=a%00b"]
)
def test_bad_filters_answer_400_or_are_ignored_never_500(api: APIClient, query: str) -> None:
    response = api.get(f"/api/v1/invoices/?{query}")
    assert response.status_code in (200, 400), response.content
    if query.startswith(("status", "client", "issue")):
        assert response.status_code == 400


def test_a_missing_or_malformed_id_is_404(api: APIClient) -> None:
    assert api.get("/api/v1/invoices/abc/").status_code == 404
    assert api.get(f"/api/v1/invoices/{2**40}/").status_code == 404
    assert api.post(f"/api/v1/invoices/{2**40}/send/", {}, format="json").status_code == 404


def _list_queries(api: APIClient) -> int:
    api.get("/api/v1/invoices/?limit=1")  # the key's first use of the minute is noted: not counted
    with CaptureQueriesContext(connection) as queries:
        response = api.get("/api/v1/invoices/?limit=100")
    assert response.status_code == 200
    return len(queries)


def test_list_queries_do_not_grow_with_the_invoices(api: APIClient, organization: Organization) -> None:
    client = make_client(organization)
    for _ in range(5):
        make_invoice(organization, client, lines=make_lines(("1", "10.00", "21"), ("2", "5.00", "6")))
    few = _list_queries(api)
    for _ in range(95):
        make_invoice(organization, client, lines=make_lines(("1", "10.00", "21"), ("2", "5.00", "6")))
    assert _list_queries(api) == few


def test_a_viewer_reads_but_cannot_create(api_for: ApiClientFor, organization: Organization) -> None:
    viewer = api_for(organization, role=Role.VIEWER)
    make_invoice(organization)
    assert viewer.get("/api/v1/invoices/").status_code == 200
    response = viewer.post("/api/v1/invoices/", draft_body(organization), format="json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


def test_a_read_scoped_key_cannot_write(api_for: ApiClientFor, organization: Organization) -> None:
    reader = api_for(organization, scope=Scope.READ)
    draft = make_invoice(organization, sent=False)
    assert reader.post("/api/v1/invoices/", draft_body(organization), format="json").status_code == 403
    assert reader.post(f"/api/v1/invoices/{draft.pk}/send/", {}, format="json").status_code == 403
    assert reader.get(f"/api/v1/invoices/{draft.pk}/").status_code == 200


def test_amount_paid_and_balance_follow_payments(api: APIClient, organization: Organization) -> None:
    invoice = make_invoice(organization)
    pay(invoice, "21.00")
    body = api.get(f"/api/v1/invoices/{invoice.pk}/").json()
    assert (body["status"], body["amount_paid"], body["balance_due"]) == ("partially_paid", "21.00", "100.00")
