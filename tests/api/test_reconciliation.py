"""`/api/v1/reconciliation/`: the matches, and a reviewer's confirm or reject through the review
screen's services: the invoice paid, audited, a decided match refused again."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from api.models import Scope
from banking.models import Match, MatchStatus
from core.models import AuditEvent, Organization, Role
from invoices.models import Payment
from tests.api.conftest import ApiClientFor
from tests.factories import make_client, make_invoice, make_match

pytestmark = pytest.mark.django_db

URL = "/api/v1/reconciliation/"
LIST_QUERIES = 6  # the key, its member, its last use, the page, its candidates and paid invoices


def test_retrieve_shows_the_transaction_and_its_candidates(api: APIClient, organization: Organization) -> None:
    match = make_match(organization)
    invoice = match.candidates.get()
    body = api.get(f"{URL}{match.pk}/").json()
    assert (body["status"], body["evidence"]) == ("suggested", "iban")
    assert body["transaction"]["id"] == match.transaction_id
    assert body["transaction"]["amount"] == "50.00"
    assert [(c["id"], c["number"], c["currency"]) for c in body["candidates"]] == [(invoice.pk, invoice.number, "EUR")]
    assert body["paid_invoices"] == []


def test_list_filters_by_status(api: APIClient, organization: Organization) -> None:
    waiting = make_match(organization)
    rejected = make_match(organization)
    Match.objects.filter(pk=rejected.pk).update(status=MatchStatus.REJECTED)
    assert [m["id"] for m in api.get(f"{URL}?status=suggested").json()["data"]] == [waiting.pk]
    assert [m["id"] for m in api.get(f"{URL}?status=rejected").json()["data"]] == [rejected.pk]
    response = api.get(f"{URL}?status=lost")
    assert response.status_code == 400
    assert list(response.json()["error"]["details"]) == ["status"]


def test_confirm_pays_the_invoice_and_is_audited(api: APIClient, organization: Organization) -> None:
    match = make_match(organization)
    invoice = match.candidates.get()
    response = api.post(f"{URL}{match.pk}/confirm/", {"invoice": invoice.pk}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "applied"
    assert [(paid["invoice"], paid["amount"]) for paid in body["paid_invoices"]] == [(invoice.pk, "50.00")]
    payment = Payment.objects.get(pk=body["paid_invoices"][0]["payment"])
    assert (payment.invoice_id, str(payment.amount)) == (invoice.pk, "50.00")
    assert AuditEvent.objects.filter(action="reconciliation.confirmed", target_id=str(match.pk)).exists()
    again = api.post(f"{URL}{match.pk}/confirm/", {"invoice": invoice.pk}, format="json")
    assert again.status_code == 422
    assert Payment.objects.filter(invoice=invoice).count() == 1


def test_confirm_refuses_an_invoice_it_cannot_pay(api: APIClient, organization: Organization) -> None:
    match = make_match(organization)
    stranger = make_invoice(organization, make_client(organization, name="Someone else"))
    response = api.post(f"{URL}{match.pk}/confirm/", {"invoice": stranger.pk}, format="json")
    assert response.status_code == 422
    assert Match.objects.get(pk=match.pk).status == MatchStatus.SUGGESTED


@pytest.mark.parametrize(
    "body", [{}, {"invoice": "abc"}, {"invoice": 0}, {"invoice": 10**30}, {"invoice": [1]}, {"invoice": None}]
)
def test_confirm_with_bad_input_is_400(api: APIClient, organization: Organization, body: object) -> None:
    match = make_match(organization)
    response = api.post(f"{URL}{match.pk}/confirm/", body, format="json")
    assert response.status_code == 400, response.content
    assert list(response.json()["error"]["details"]) == ["invoice"]


def test_reject_is_audited_and_final(api: APIClient, organization: Organization) -> None:
    match = make_match(organization)
    response = api.post(f"{URL}{match.pk}/reject/")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "rejected"
    assert AuditEvent.objects.filter(action="reconciliation.rejected", target_id=str(match.pk)).exists()
    assert api.post(f"{URL}{match.pk}/reject/").status_code == 422


def test_viewer_reads_but_cannot_decide(api_for: ApiClientFor, organization: Organization) -> None:
    match = make_match(organization)
    viewer = api_for(organization, role=Role.VIEWER)
    assert viewer.get(f"{URL}{match.pk}/").status_code == 200
    invoice = match.candidates.get()
    assert viewer.post(f"{URL}{match.pk}/confirm/", {"invoice": invoice.pk}, format="json").status_code == 403
    assert viewer.post(f"{URL}{match.pk}/reject/").status_code == 403
    assert Match.objects.get(pk=match.pk).status == MatchStatus.SUGGESTED


def test_read_scoped_key_cannot_decide(api_for: ApiClientFor, organization: Organization) -> None:
    match = make_match(organization)
    reader = api_for(organization, role=Role.OWNER, scope=Scope.READ)
    assert reader.post(f"{URL}{match.pk}/reject/").status_code == 403
    assert Match.objects.get(pk=match.pk).status == MatchStatus.SUGGESTED


def test_another_organisations_invoice_cannot_be_confirmed(
    api: APIClient, organization: Organization, other_organization: Organization
) -> None:
    match = make_match(organization)
    theirs = make_match(other_organization).candidates.get()
    response = api.post(f"{URL}{match.pk}/confirm/", {"invoice": theirs.pk}, format="json")
    assert response.status_code == 422
    assert not Payment.objects.filter(invoice=theirs).exists()


@pytest.mark.parametrize("rows", [5, 100])
def test_list_queries_do_not_grow_with_rows(
    api: APIClient, organization: Organization, rows: int, django_assert_max_num_queries: Callable[..., Any]
) -> None:
    for _ in range(rows):
        make_match(organization)
    with django_assert_max_num_queries(LIST_QUERIES):
        body = api.get(f"{URL}?limit=100&status=suggested").json()
    assert len(body["data"]) == rows
