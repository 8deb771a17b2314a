"""A credit note starts from its invoice's lines: prefilled with what is not credited yet, lowered
or removed by the user, and never more of a line than was invoiced, earlier credit notes counted."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from core.models import Organization
from invoices import services
from invoices.models import CreditNote, Invoice
from invoices.services import Line
from invoices.services.invoicing import creditable_lines
from tests.factories import make_invoice

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def invoice(organization: Organization) -> Invoice:
    return make_invoice(
        organization,
        lines=[
            Line("Oak planks", D("10"), D("20.00"), D("21")),
            Line("Delivery", D("1"), D("35.00"), D("6")),
        ],
    )


def credit_post(*lines: tuple[str, str, str, str], deleted: tuple[int, ...] = ()) -> dict[str, str]:
    data = {
        "issue_date": "2026-03-05",
        "reason": "Returned",
        "lines-TOTAL_FORMS": str(len(lines)),
        "lines-INITIAL_FORMS": str(len(lines)),
        "lines-MIN_NUM_FORMS": "1",
    }
    for n, (description, quantity, price, rate) in enumerate(lines):
        data |= {
            f"lines-{n}-description": description,
            f"lines-{n}-quantity": quantity,
            f"lines-{n}-unit_price": price,
            f"lines-{n}-vat_rate": rate,
        }
        if n in deleted:
            data[f"lines-{n}-DELETE"] = "on"
    return data


def test_the_form_starts_from_the_invoices_lines(owner_client: HttpClient, invoice: Invoice):
    page = owner_client.get(reverse("invoices:credit_note_create", args=[invoice.pk]))

    initial = [(form["description"].value(), form["quantity"].value()) for form in page.context["formset"].forms]
    assert initial == [("Oak planks", D("10")), ("Delivery", D("1"))]
    assert b"data-document-totals" in page.content  # totals are worked out live here too


def test_lowering_a_quantity_and_removing_a_line_credits_that_part(owner_client: HttpClient, invoice: Invoice):
    url = reverse("invoices:credit_note_create", args=[invoice.pk])

    response = owner_client.post(
        url, credit_post(("Oak planks", "3", "20.00", "21"), ("Delivery", "1", "35.00", "6"), deleted=(1,))
    )

    assert response.status_code == 302
    note = CreditNote.objects.get()
    assert note.total == D("72.60")  # 3 x 20.00 + 21 %
    remaining = creditable_lines(invoice)
    assert [(line.description, line.quantity) for line in remaining] == [("Oak planks", D("7")), ("Delivery", D("1"))]


def test_more_than_was_invoiced_of_a_line_is_refused(owner_client: HttpClient, invoice: Invoice):
    response = owner_client.post(
        reverse("invoices:credit_note_create", args=[invoice.pk]), credit_post(("Oak planks", "11", "20.00", "21"))
    )

    assert response.status_code == 200
    assert "only" in str(response.context["form"].non_field_errors())
    assert not CreditNote.objects.exists()


def test_earlier_credit_notes_count_against_what_is_left(owner_client: HttpClient, invoice: Invoice):
    services.issue_credit_note(
        invoice, lines=[Line("Oak planks", D("8"), D("20.00"), D("21"))], issue_date=invoice.issue_date
    )
    url = reverse("invoices:credit_note_create", args=[invoice.pk])

    page = owner_client.get(url)
    assert [form["quantity"].value() for form in page.context["formset"].forms] == [D("2"), D("1")]
    refused = owner_client.post(url, credit_post(("Oak planks", "3", "20.00", "21")))
    accepted = owner_client.post(url, credit_post(("Oak planks", "2", "20.00", "21")))

    assert refused.status_code == 200 and accepted.status_code == 302
    assert CreditNote.objects.count() == 2
    assert [line.description for line in creditable_lines(invoice)] == ["Delivery"]


def test_a_line_that_is_not_on_the_invoice_is_refused(owner_client: HttpClient, invoice: Invoice):
    response = owner_client.post(
        reverse("invoices:credit_note_create", args=[invoice.pk]), credit_post(("Goodwill", "1", "5.00", "21"))
    )

    assert response.status_code == 200
    assert "not on invoice" in str(response.context["form"].non_field_errors())
    assert not CreditNote.objects.exists()


def test_a_price_lowered_on_a_line_credits_the_difference(owner_client: HttpClient, invoice: Invoice):
    response = owner_client.post(
        reverse("invoices:credit_note_create", args=[invoice.pk]), credit_post(("Delivery", "1", "10.00", "6"))
    )

    assert response.status_code == 302
    assert CreditNote.objects.get().total == D("10.60")


def test_an_invoice_credited_in_full_says_so(owner_client: HttpClient, invoice: Invoice):
    services.issue_credit_note(invoice, lines=creditable_lines(invoice), issue_date=invoice.issue_date)

    page = owner_client.get(reverse("invoices:credit_note_create", args=[invoice.pk]))

    assert page.status_code == 200
    assert page.context["nothing_left"]
