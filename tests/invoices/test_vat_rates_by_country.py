"""The VAT rates an invoice line offers are those of the organisation's country: Belgium 21/12/6/0,
the Netherlands 21/9/0, Luxembourg 17/14/8/3/0; a line already carrying another rate keeps it
when the draft is edited."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from core.models import Organization
from invoices.models import Invoice
from tests.factories import make_billing_profile, make_client, make_invoice, make_lines

pytestmark = pytest.mark.django_db

RATES = {
    "BE": ["21", "12", "6", "0"],
    "NL": ["21", "9", "0"],
    "LU": ["17", "14", "8", "3", "0"],
}


def offered(page: object) -> list[str]:
    formset = page.context["formset"]  # type: ignore[attr-defined]
    return [value for value, _ in formset.empty_form.fields["vat_rate"].choices]


def line_post(*lines: tuple[str, str, str, str]) -> dict[str, str]:
    data = {"lines-TOTAL_FORMS": str(len(lines)), "lines-INITIAL_FORMS": "0", "lines-MIN_NUM_FORMS": "1"}
    for n, (description, quantity, price, rate) in enumerate(lines):
        data |= {
            f"lines-{n}-description": description,
            f"lines-{n}-quantity": quantity,
            f"lines-{n}-unit_price": price,
            f"lines-{n}-vat_rate": rate,
        }
    return data


@pytest.mark.parametrize("country", sorted(RATES))
def test_the_editor_offers_the_rates_of_the_organisations_country(
    owner_client: HttpClient, organization: Organization, country: str
):
    make_billing_profile(organization, country=country, vat_number="", enterprise_number="")

    page = owner_client.get(reverse("invoices:invoice_create"))

    assert offered(page) == RATES[country]


@pytest.mark.parametrize("country", sorted(RATES))
def test_a_delivery_note_offers_the_same_rates(owner_client: HttpClient, organization: Organization, country: str):
    make_billing_profile(organization, country=country, vat_number="", enterprise_number="")

    assert offered(owner_client.get(reverse("invoices:challan_create"))) == RATES[country]


def test_without_billing_details_the_rates_are_belgiums(owner_client: HttpClient):
    assert offered(owner_client.get(reverse("invoices:invoice_create"))) == RATES["BE"]


@pytest.mark.parametrize(("country", "rate", "saved"), [("LU", "17", True), ("LU", "21", False), ("BE", "17", False)])
def test_a_rate_is_accepted_only_where_it_applies(
    owner_client: HttpClient, organization: Organization, country: str, rate: str, saved: bool
):
    make_billing_profile(organization, country=country, vat_number="", enterprise_number="")
    client = make_client(organization)
    data = {"client": str(client.pk), "issue_date": "2026-03-02", "currency": "EUR"}

    response = owner_client.post(
        reverse("invoices:invoice_create"), {**data, **line_post(("Service", "1", "100", rate))}
    )

    assert Invoice.objects.exists() is saved
    if saved:
        assert Invoice.objects.get().vat_total == Decimal(rate)
    else:
        assert response.status_code == 200
        assert response.context["formset"].forms[0].errors["vat_rate"]


def test_editing_a_draft_keeps_a_rate_its_country_no_longer_offers(
    owner_client: HttpClient, organization: Organization
):
    make_billing_profile(organization, country="BE", vat_number="", enterprise_number="")
    draft = make_invoice(organization, lines=make_lines(("1", "100", "9")), sent=False)  # a Dutch rate
    url = reverse("invoices:invoice_edit", args=[draft.pk])

    page = owner_client.get(url)
    assert "9" in offered(page)
    assert page.context["formset"].forms[0]["vat_rate"].value() == "9"  # shown as chosen, not the first option
    data = {"client": str(draft.client_id), "issue_date": "2026-03-02", "due_date": "2026-04-01", "currency": "EUR"}
    response = owner_client.post(url, {**data, **line_post(("Line 1", "2", "100", "9"))})

    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.total == Decimal("218.00")


def test_a_quantity_typed_with_a_decimal_comma_is_read_in_dutch(owner_client: HttpClient, organization: Organization):
    client = make_client(organization)
    data = {"client": str(client.pk), "issue_date": "2026-03-02", "currency": "EUR"}
    owner_client.cookies["django_language"] = "nl"

    response = owner_client.post(
        reverse("invoices:invoice_create"),
        {**data, **line_post(("Kabel", "0,335", "3,00", "21"))},
        HTTP_ACCEPT_LANGUAGE="nl",
    )

    assert response.status_code == 302
    invoice = Invoice.objects.get()
    assert (invoice.subtotal, invoice.vat_total) == (Decimal("1.01"), Decimal("0.21"))
