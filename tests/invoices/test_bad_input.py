"""Malformed billing input gets a form error, never a server error."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from core.models import Organization
from invoices.models import Challan, CreditNote, Invoice, InvoiceStatus
from tests.factories import make_client, make_invoice
from tests.invoices.test_views import invoice_post, line_post

pytestmark = pytest.mark.django_db


def test_a_vat_rate_that_is_no_number_is_a_form_error_on_the_invoice(
    owner_client: HttpClient, organization: Organization
):
    client = make_client(organization)

    response = owner_client.post(reverse("invoices:invoice_create"), invoice_post(client, ("Work", "1", "10", "abc")))

    assert response.status_code == 200
    assert response.context["formset"].forms[0].errors["vat_rate"]
    assert not Invoice.objects.exists()


def test_a_vat_rate_that_is_no_number_is_a_form_error_on_the_delivery_note(
    owner_client: HttpClient, organization: Organization
):
    client = make_client(organization)
    data = {"client": str(client.pk), "date": "2026-03-02", **line_post("lines", ("Boxes", "3", "0", "1e999x"))}

    response = owner_client.post(reverse("invoices:challan_create"), data)

    assert response.status_code == 200
    assert response.context["formset"].forms[0].errors["vat_rate"]
    assert not Challan.objects.exists()


def test_a_vat_rate_that_is_no_number_is_a_form_error_on_the_credit_note(
    owner_client: HttpClient, organization: Organization
):
    invoice = make_invoice(organization)
    data = {"issue_date": "2026-03-05", "reason": "", **line_post("lines", ("Return", "1", "10", "abc"))}

    response = owner_client.post(reverse("invoices:credit_note_create", args=[invoice.pk]), data)

    assert response.status_code == 200
    assert response.context["formset"].forms[0].errors["vat_rate"]
    assert not CreditNote.objects.exists()


def test_a_nul_in_the_client_search_is_refused_with_a_message(owner_client: HttpClient, organization: Organization):
    make_client(organization, name="Brasserie Dupont")

    response = owner_client.get(reverse("invoices:client_list"), {"q": "Dup\x00ont"})

    assert response.status_code == 200
    assert "Null characters are not allowed." in response.content.decode()


def test_a_nul_in_the_invoice_search_is_refused_with_a_message(owner_client: HttpClient, organization: Organization):
    make_invoice(organization)

    response = owner_client.get(reverse("invoices:invoice_list"), {"q": "INV\x00"})

    assert response.status_code == 200
    assert response.context["form"].errors["q"]


def test_an_issue_date_range_beyond_the_calendar_is_a_form_error(owner_client: HttpClient, organization: Organization):
    make_invoice(organization)

    response = owner_client.get(reverse("invoices:invoice_list"), {"date_from": "0001-01-01", "date_to": "9999-12-31"})

    assert response.status_code == 200
    assert response.context["form"].errors.keys() == {"date_from", "date_to"}


def test_a_cancel_reason_with_a_nul_is_refused_with_a_message(owner_client: HttpClient, organization: Organization):
    invoice = make_invoice(organization)

    response = owner_client.post(reverse("invoices:invoice_cancel", args=[invoice.pk]), {"reason": "typo\x00"})

    assert response.status_code == 302
    invoice.refresh_from_db()
    assert invoice.status != InvoiceStatus.CANCELLED
    assert "Null characters are not allowed." in owner_client.get(response["Location"]).content.decode()


def test_a_posted_line_count_beyond_the_limit_is_refused_without_building_the_lines(
    owner_client: HttpClient, organization: Organization
):
    client = make_client(organization)
    data = {**invoice_post(client), "lines-TOTAL_FORMS": "9" * 40}

    response = owner_client.post(reverse("invoices:invoice_create"), data)

    assert response.status_code == 200
    formset = response.context["formset"]
    assert len(formset.forms) <= 200
    assert "Please submit at most 200 forms." in formset.non_form_errors()
    assert not Invoice.objects.exists()
