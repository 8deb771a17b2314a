"""VAT numbers of clients and of the organisation's billing details are checked with the rules
of their country (python-stdnum) when it is in the EU, and kept in their compact form."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from core.models import Organization
from invoices.models import BillingProfile, Client
from tests.factories import make_client, make_invoice

pytestmark = pytest.mark.django_db

BAD_CHECK_DIGITS = "Check for a typing error."


def client_post(vat_number: str, country: str = "BE") -> dict[str, str]:
    return {
        "name": "Bakkerij Peeters",
        "vat_number": vat_number,
        "country": country,
        "payment_terms_days": "30",
        "currency": "EUR",
        "opening_balance": "0",
    }


@pytest.mark.parametrize(
    ("country", "typed", "stored"),
    [
        ("BE", "BE 0403.170.701", "BE0403170701"),
        ("BE", "0403 170 701", "BE0403170701"),
        ("NL", "nl 0044.95.445.b01", "NL004495445B01"),
        ("FR", "FR 40 303 265 045", "FR40303265045"),
        ("GR", "094259216", "EL094259216"),
        ("US", "12-3456789", "123456789"),
        ("BE", "", ""),
    ],
)
def test_a_clients_vat_number_is_checked_by_country_and_kept_compact(
    owner_client: HttpClient, organization: Organization, country: str, typed: str, stored: str
):
    response = owner_client.post(reverse("invoices:client_create"), client_post(typed, country))

    assert response.status_code == 302, response.content.decode()[:2000]
    assert Client.objects.get(organization=organization).vat_number == stored


@pytest.mark.parametrize(
    ("country", "typed", "message"),
    [
        ("BE", "BE 0403.170.702", BAD_CHECK_DIGITS),
        ("NL", "NL004495446B01", BAD_CHECK_DIGITS),
        ("BE", "BE12", "is not a BE VAT number"),
        ("DE", "DE12345", "is not a DE VAT number"),
    ],
)
def test_a_wrong_vat_number_is_refused_with_a_clear_message(
    owner_client: HttpClient, organization: Organization, country: str, typed: str, message: str
):
    response = owner_client.post(reverse("invoices:client_create"), client_post(typed, country))

    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["vat_number"])
    assert not Client.objects.exists()


def test_a_client_outside_the_eu_gets_no_eu_check(owner_client: HttpClient, organization: Organization):
    response = owner_client.post(reverse("invoices:client_create"), client_post("CHE-123.456.788 MWST", "CH"))

    assert response.status_code == 302
    assert Client.objects.get().vat_number == "CHE123456788MWST"


def test_the_organisations_vat_number_is_checked_and_kept_compact(owner_client: HttpClient, organization: Organization):
    form = {"legal_name": "Acme Trading BV", "country": "BE", "reminder_offsets": "7"}

    bad = owner_client.post(reverse("invoices:billing_settings"), {**form, "vat_number": "BE 0403.170.702"})
    good = owner_client.post(reverse("invoices:billing_settings"), {**form, "vat_number": "be 0403.170.701"})

    assert bad.status_code == 200
    assert BAD_CHECK_DIGITS in " ".join(bad.context["form"].errors["vat_number"])
    assert good.status_code == 302
    assert BillingProfile.objects.get(organization=organization).vat_number == "BE0403170701"


def test_pages_of_a_client_stored_with_an_invalid_vat_number_still_open(
    owner_client: HttpClient, organization: Organization
):
    client = make_client(organization, vat_number="BE12345", country="BE")
    invoice = make_invoice(organization, client)

    for url in [
        reverse("invoices:client_list"),
        reverse("invoices:client_detail", args=[client.pk]),
        reverse("invoices:client_edit", args=[client.pk]),
        reverse("invoices:client_statement", args=[client.pk]),
        reverse("invoices:invoice_detail", args=[invoice.pk]),
        reverse("invoices:invoice_pdf", args=[invoice.pk]),
    ]:
        assert owner_client.get(url).status_code == 200, url
    # Saving it again asks for a valid number instead of failing.
    response = owner_client.post(reverse("invoices:client_edit", args=[client.pk]), client_post("BE12345"))
    assert response.status_code == 200
    assert response.context["form"].errors["vat_number"]
