"""Defects found in review, each pinned by a test."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client as HttpClient
from django.urls import reverse

from core.models import Organization
from invoices import services
from invoices.models import Challan, Invoice, InvoiceStatus
from invoices.references import make_reference
from invoices.statistics import average_days_to_pay
from tests.factories import make_challan, make_client, make_invoice, make_lines, pay
from tests.invoices.test_views import invoice_post, line_post

D = Decimal


@pytest.mark.django_db
def test_negative_prices_and_credit_notes_cannot_raise_what_is_owed(
    owner_client: HttpClient, organization: Organization
):
    invoice = make_invoice(organization)

    response = owner_client.post(
        reverse("invoices:credit_note_create", args=[invoice.pk]),
        {"issue_date": "2026-03-05", **line_post("lines", ("Refund", "1", "-500.00", "21"))},
    )

    invoice.refresh_from_db()
    assert "Prices cannot be negative." in response.content.decode()
    assert invoice.balance_due == D("121.00")
    with pytest.raises(ValidationError, match="cannot be negative"):
        make_invoice(organization, lines=make_lines(("1", "-100", "21")), sent=False)


@pytest.mark.django_db
def test_amounts_too_large_to_store_are_refused_with_a_message(owner_client: HttpClient, organization: Organization):
    response = owner_client.post(
        reverse("invoices:invoice_create"),
        invoice_post(make_client(organization), ("Big", "1000", "999999999.99", "21")),
    )

    assert response.status_code == 200
    assert "too large" in response.content.decode()
    assert not Invoice.all_objects.exists()
    assert owner_client.get(reverse("invoices:invoice_list")).status_code == 200


@pytest.mark.django_db
def test_cancelled_invoice_owes_nothing(organization: Organization):
    invoice = services.cancel_invoice(make_invoice(organization))
    assert (invoice.status, invoice.balance_due) == (InvoiceStatus.CANCELLED, D("0.00"))


@pytest.mark.django_db
def test_average_days_to_pay_ignores_deleted_payments(organization: Organization):
    invoice = make_invoice(organization)
    wrong = pay(invoice, "121.00", on=datetime.date(2026, 12, 31))
    services.soft_delete(wrong)
    pay(invoice, "121.00", on=datetime.date(2026, 3, 3))

    assert average_days_to_pay(invoice.client) == 1.0


@pytest.mark.django_db
def test_restoring_a_payment_of_a_deleted_invoice_explains_itself(organization: Organization):
    invoice = make_invoice(organization)
    payment = pay(invoice, "10.00")
    services.soft_delete(payment)
    services.soft_delete(invoice)

    with pytest.raises(ValidationError, match="restore the invoice first"):
        services.restore(payment)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/invoices/?page=999999999999999999999",
        "/invoices/?client=99999999999999999999999",
        "/payments/?client=%C2%B2",
        "/payments/?client=99999999999999999999999",
    ],
)
def test_absurd_list_parameters_do_not_crash(owner_client: HttpClient, url: str):
    assert owner_client.get(url).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("issue_date", ["9999-12-31", "0001-01-01"])
def test_dates_out_of_the_books_range_are_refused(
    owner_client: HttpClient, organization: Organization, issue_date: str
):
    response = owner_client.post(
        reverse("invoices:invoice_create"), invoice_post(make_client(organization), issue_date=issue_date)
    )

    assert response.status_code == 200
    assert "Use a date between" in response.content.decode()


@pytest.mark.django_db
def test_a_typed_reference_does_not_block_the_next_generated_one(organization: Organization):
    client = make_client(organization)
    make_invoice(organization, client, payment_reference=make_reference(2026000002), sent=False)

    second = make_invoice(organization, client, sent=False)

    assert second.number == "INV-2026-0002"
    assert second.payment_reference == make_reference(2026100002)


@pytest.mark.django_db
def test_deleting_the_invoice_of_a_delivery_note_frees_the_note(organization: Organization):
    challan = make_challan(organization)
    invoice = services.convert_challan_to_invoice(challan)
    services.soft_delete(invoice)

    again = services.convert_challan_to_invoice(challan)

    assert Challan.objects.get(pk=challan.pk).invoice == again


@pytest.mark.django_db
def test_an_edit_cannot_move_a_draft_into_another_year(organization: Organization):
    draft = make_invoice(organization, sent=False)
    with pytest.raises(ValidationError, match="numbered in 2026"):
        services.update_invoice(
            draft,
            client=draft.client,
            lines=make_lines(("1", "1", "0")),
            issue_date=datetime.date(2027, 1, 5),
            due_date=datetime.date(2027, 1, 5),
            currency="EUR",
        )
