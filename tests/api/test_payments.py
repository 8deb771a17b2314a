"""`/api/v1/payments/`: payments on invoices as the invoice page records them, once per
Idempotency-Key, with the screen's overpayment rule."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from api.models import Scope
from core.models import AuditEvent, Organization, Role
from invoices.models import Invoice, Payment
from tests.api.conftest import ApiClientFor
from tests.factories import make_client, make_invoice, pay

pytestmark = pytest.mark.django_db


def payment_body(invoice: Invoice, **fields: Any) -> dict[str, Any]:
    return {"invoice": invoice.pk, "amount": "21.00", "date": "2026-03-10", **fields}


def test_record_a_payment_updates_the_invoice_and_is_audited(api: APIClient, organization: Organization) -> None:
    invoice = make_invoice(organization)
    response = api.post("/api/v1/payments/", payment_body(invoice, reference="+++090/9337/55493+++"), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["amount"], body["currency"], body["method"], body["client"]) == (
        "21.00",
        "EUR",
        "bank_transfer",
        invoice.client_id,
    )
    invoice.refresh_from_db()
    assert (invoice.status, str(invoice.balance_due)) == ("partially_paid", "100.00")
    assert AuditEvent.objects.filter(action="payment.recorded", target_id=str(body["id"])).exists()
    assert api.get(f"/api/v1/payments/{body['id']}/").json() == body


def test_a_repeated_post_with_the_same_key_records_one_payment(api: APIClient, organization: Organization) -> None:
    invoice = make_invoice(organization)
    body = payment_body(invoice)
    first = api.post("/api/v1/payments/", body, format="json", HTTP_IDEMPOTENCY_KEY="pay-42")
    again = api.post("/api/v1/payments/", body, format="json", HTTP_IDEMPOTENCY_KEY="pay-42")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert Payment.objects.filter(invoice=invoice).count() == 1
    other = api.post("/api/v1/payments/", payment_body(invoice, amount="5.00"), HTTP_IDEMPOTENCY_KEY="pay-42")
    assert other.status_code == 422
    assert Payment.objects.filter(invoice=invoice).count() == 1


def test_more_than_the_balance_needs_the_overpayment_mark(api: APIClient, organization: Organization) -> None:
    invoice = make_invoice(organization)
    refused = api.post("/api/v1/payments/", payment_body(invoice, amount="150.00"), format="json")
    assert refused.status_code == 422
    assert "more than the balance due" in refused.json()["error"]["message"]
    accepted = api.post("/api/v1/payments/", payment_body(invoice, amount="150.00", is_overpayment=True), format="json")
    assert accepted.status_code == 201, accepted.json()
    invoice.refresh_from_db()
    assert invoice.status == "paid"


def test_a_draft_or_cancelled_invoice_takes_no_payment(api: APIClient, organization: Organization) -> None:
    draft = make_invoice(organization, sent=False)
    response = api.post("/api/v1/payments/", payment_body(draft), format="json")
    assert response.status_code == 422
    assert "still a draft" in response.json()["error"]["message"]
    assert not Payment.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"amount": "-5"}, "amount"),
        ({"amount": "0.001"}, "amount"),
        ({"amount": "1e100000"}, "amount"),
        ({"amount": "lots"}, "amount"),
        ({"date": "10/03/2026"}, "date"),
        ({"method": "barter"}, "method"),
        ({"currency": "XXX"}, "currency"),
        ({"invoice": 2**40}, "invoice"),
        ({"invoice": None}, "invoice"),
    ],
)
def test_bad_input_answers_400_with_the_field(
    api: APIClient, organization: Organization, change: dict[str, Any], field: str
) -> None:
    response = api.post("/api/v1/payments/", payment_body(make_invoice(organization)) | change, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["details"]


def test_another_organisations_invoice_reads_as_unknown(
    api: APIClient, organization: Organization, other_organization: Organization
) -> None:
    theirs = make_invoice(other_organization)
    response = api.post("/api/v1/payments/", payment_body(theirs), format="json")
    assert response.status_code == 400
    assert list(response.json()["error"]["details"]) == ["invoice"]
    assert not Payment.objects.exists()


def test_roles_and_scopes(api_for: ApiClientFor, organization: Organization) -> None:
    invoice = make_invoice(organization)
    viewer = api_for(organization, role=Role.VIEWER)
    reader = api_for(organization, scope=Scope.READ)
    assert viewer.get("/api/v1/payments/").status_code == 200
    assert viewer.post("/api/v1/payments/", payment_body(invoice), format="json").status_code == 403
    assert reader.post("/api/v1/payments/", payment_body(invoice), format="json").status_code == 403
    finance = api_for(organization, role=Role.FINANCE)
    assert finance.post("/api/v1/payments/", payment_body(invoice), format="json").status_code == 201


def test_list_filters(api: APIClient, organization: Organization) -> None:
    first = make_invoice(organization)
    second = make_invoice(organization, make_client(organization, name="Other"))
    early = pay(first, "10.00", on=datetime.date(2026, 3, 5))
    late = pay(second, "10.00", on=datetime.date(2026, 4, 5))

    def ids(query: str) -> list[int]:
        response = api.get(f"/api/v1/payments/?{query}")
        assert response.status_code == 200, response.json()
        return [row["id"] for row in response.json()["data"]]

    assert ids("ordering=date") == [early.pk, late.pk]
    assert ids(f"invoice={second.pk}") == [late.pk]
    assert ids(f"client={first.client_id}") == [early.pk]
    assert ids("date_from=2026-04-01") == [late.pk]
    assert ids("date_to=2026-03-31") == [early.pk]
    assert api.get("/api/v1/payments/?date_from=soon").status_code == 400


def _list_queries(api: APIClient) -> int:
    api.get("/api/v1/payments/?limit=1")  # the key's first use of the minute is noted: not counted
    with CaptureQueriesContext(connection) as queries:
        assert api.get("/api/v1/payments/?limit=100").status_code == 200
    return len(queries)


def test_list_queries_do_not_grow_with_the_payments(api: APIClient, organization: Organization) -> None:
    invoice = make_invoice(organization)
    for _ in range(5):
        pay(invoice, "1.00")
    few = _list_queries(api)
    for _ in range(45):
        pay(invoice, "1.00")
    assert _list_queries(api) == few
