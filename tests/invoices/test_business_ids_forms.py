"""The client form and the billing settings take an enterprise number and a Peppol ID, store
them compact, refuse wrong ones in words, and the client page shows the Peppol ID in use."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from core.models import Organization
from invoices.models import BillingProfile, Client
from tests.factories import make_client
from tests.invoices.test_vat_numbers import client_post

pytestmark = pytest.mark.django_db


def test_a_client_keeps_its_numbers_compact_and_its_page_shows_the_usual_peppol_id(
    owner_client: HttpClient, organization: Organization
):
    post = {**client_post("BE 0477.472.701"), "enterprise_number": "0477.472.701", "peppol_id": ""}

    response = owner_client.post(reverse("invoices:client_create"), post)

    assert response.status_code == 302, response.content.decode()[:2000]
    client = Client.objects.get(organization=organization)
    assert (client.vat_number, client.enterprise_number, client.peppol_id) == ("BE0477472701", "0477472701", "")
    page = owner_client.get(client.get_absolute_url()).content.decode()
    assert "<code>0208:0477472701</code>" in page and "not looked up in the Peppol directory" in page


def test_a_given_peppol_id_is_stored_and_shown_as_given(owner_client: HttpClient, organization: Organization):
    post = {**client_post("NL004495445B01", "NL"), "enterprise_number": "", "peppol_id": "9944:nl004495445b01"}

    owner_client.post(reverse("invoices:client_create"), post)

    client = Client.objects.get(organization=organization)
    assert client.peppol_id == "9944:NL004495445B01"
    page = owner_client.get(client.get_absolute_url()).content.decode()
    assert "<code>9944:NL004495445B01</code>" in page and "not looked up" not in page


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"enterprise_number": "0477.472.702"}, "enterprise_number", "check digits do not match"),
        ({"enterprise_number": "0403.170.701"}, "enterprise_number", "belongs to enterprise 0477472701"),
        ({"peppol_id": "0477472701"}, "peppol_id", "a four-digit scheme, a colon and the number"),
        ({"peppol_id": "0208:0477472702"}, "peppol_id", "check digits do not match"),
    ],
)
def test_wrong_numbers_are_refused_in_words_and_nothing_is_saved(
    owner_client: HttpClient, organization: Organization, fields: dict[str, str], field: str, message: str
):
    post = {**client_post("BE0477472701"), "enterprise_number": "", "peppol_id": "", **fields}

    response = owner_client.post(reverse("invoices:client_create"), post)

    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert not Client.objects.exists()


def test_the_organisation_keeps_its_numbers_in_the_billing_settings(
    owner_client: HttpClient, organization: Organization
):
    form = {"legal_name": "Acme Trading BV", "country": "NL", "reminder_offsets": "7", "vat_number": "NL004495445B01"}

    bad = owner_client.post(reverse("invoices:billing_settings"), {**form, "enterprise_number": "1234"})
    good = owner_client.post(reverse("invoices:billing_settings"), {**form, "enterprise_number": "1234 5678"})

    assert "eight digits" in " ".join(bad.context["form"].errors["enterprise_number"])
    assert good.status_code == 302
    profile = BillingProfile.objects.get(organization=organization)
    assert (profile.enterprise_number, str(profile.business_ids.participant_id)) == ("12345678", "0106:12345678")


def test_the_page_of_a_client_with_numbers_stored_before_the_checks_still_opens(
    owner_client: HttpClient, organization: Organization
):
    client = make_client(organization, vat_number="BE12345", enterprise_number="12", peppol_id="nonsense")

    page = owner_client.get(client.get_absolute_url())

    assert page.status_code == 200
    assert "nonsense" in page.content.decode()


def test_the_billing_country_is_stored_upper_case_so_the_numbers_are_read_by_its_rules(
    owner_client: HttpClient, organization: Organization
):
    form = {"legal_name": "Acme BV", "country": "be", "reminder_offsets": "7", "vat_number": "be 477.472.701"}

    assert owner_client.post(reverse("invoices:billing_settings"), form).status_code == 302

    profile = BillingProfile.objects.get(organization=organization)
    assert (profile.country, profile.vat_number) == ("BE", "BE0477472701")
    assert str(profile.business_ids.participant_id) == "0208:0477472701"
