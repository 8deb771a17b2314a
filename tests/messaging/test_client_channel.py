"""A client's channel and WhatsApp number: checked with phonenumbers, stored in E.164, required for
WhatsApp, with errors a user understands (the screen and the API); no input gives a server error."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from core.models import Organization
from invoices.forms import ClientForm
from invoices.models import Client
from tests.factories import make_api_key, make_client

pytestmark = pytest.mark.django_db


def form(**fields: str) -> ClientForm:
    data = {"name": "Café De Hoek", "country": "BE", "payment_terms_days": "30", "currency": "EUR"}
    data["opening_balance"] = "0"
    return ClientForm(data={**data, **fields})


@pytest.mark.parametrize(
    ("typed", "country", "stored"),
    [
        ("+32 470 12 34 56", "BE", "+32470123456"),
        ("0470/12.34.56", "BE", "+32470123456"),  # a Belgian number written the Belgian way
        ("0032 470 12 34 56", "NL", "+32470123456"),
        ("06 12345678", "NL", "+31612345678"),
        ("+352 621 123 456", "BE", "+352621123456"),
    ],
)
def test_a_number_is_stored_in_e164(typed: str, country: str, stored: str) -> None:
    bound = form(whatsapp_number=typed, preferred_channel="whatsapp", country=country)

    assert bound.is_valid(), bound.errors
    assert bound.save(commit=False).whatsapp_number == stored


@pytest.mark.parametrize("typed", ["hello", "+32 470", "12", "+999 123 456 789", "+32 470 12 34 56 78 90 12"])
def test_a_number_that_is_not_one_is_refused_in_words(typed: str) -> None:
    bound = form(whatsapp_number=typed)

    assert not bound.is_valid()
    assert "phone number" in str(bound.errors["whatsapp_number"])


def test_whatsapp_needs_a_number_and_email_does_not() -> None:
    whatsapp = form(preferred_channel="whatsapp")
    email = form(preferred_channel="email")
    left_out = form()  # an older form or script without the field: email, the default

    assert not whatsapp.is_valid()
    assert whatsapp.errors.get_json_data()["whatsapp_number"][0]["message"] == (
        "Add the client's WhatsApp number to send invoices by WhatsApp."
    )
    assert email.is_valid() and left_out.is_valid()
    assert left_out.save(commit=False).preferred_channel == "email"


def test_the_screen_saves_the_channel_and_shows_it(owner_client: HttpClient) -> None:
    data = {"name": "Café De Hoek", "country": "BE", "payment_terms_days": "30", "currency": "EUR"}
    data |= {"opening_balance": "0", "preferred_channel": "whatsapp", "whatsapp_number": "0470 12 34 56"}

    response = owner_client.post(reverse("invoices:client_create"), data)

    assert response.status_code == 302
    client = Client.objects.get()
    assert (client.preferred_channel, client.whatsapp_number) == ("whatsapp", "+32470123456")
    page = owner_client.get(reverse("invoices:client_detail", args=[client.pk])).content.decode()
    assert "+32470123456" in page and "WhatsApp" in page


def test_the_screen_shows_the_error_at_the_field(owner_client: HttpClient) -> None:
    data = {"name": "X", "country": "BE", "payment_terms_days": "30", "currency": "EUR", "opening_balance": "0"}

    response = owner_client.post(reverse("invoices:client_create"), {**data, "whatsapp_number": "+32 470"})

    assert response.status_code == 200 and not Client.objects.exists()
    assert "is not a valid phone number" in response.content.decode()


def test_the_api_takes_and_checks_the_two_fields(organization: Organization, client: HttpClient) -> None:
    _, token = make_api_key(organization)
    headers = {"Authorization": f"Bearer {token}"}
    url = "/api/v1/clients/"
    body = {"name": "Café De Hoek", "preferred_channel": "whatsapp"}

    refused = client.post(url, body, content_type="application/json", headers=headers)
    accepted = client.post(
        url, {**body, "whatsapp_number": "+32 (0) 470 / 12 34 56"}, content_type="application/json", headers=headers
    )

    assert refused.status_code == 400 and "whatsapp_number" in refused.content.decode()
    assert accepted.status_code == 201, accepted.content
    assert accepted.json()["whatsapp_number"] == "+32470123456"
    assert accepted.json()["preferred_channel"] == "whatsapp"


@hypothesis_settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    number=st.one_of(st.text(max_size=40), st.from_regex(r"\+?[0-9 ()./-]{0,25}", fullmatch=True)),
    channel=st.one_of(st.sampled_from(["email", "whatsapp", ""]), st.text(max_size=12)),
    country=st.one_of(st.sampled_from(["BE", "NL", "LU", "FR", "XX"]), st.text(max_size=3)),
)
def test_no_client_form_gets_a_server_error(
    owner_client: HttpClient, organization: Organization, number: str, channel: str, country: str
) -> None:
    client = make_client(organization)
    data = {"name": "X", "country": country, "payment_terms_days": "30", "currency": "EUR", "opening_balance": "0"}
    data |= {"preferred_channel": channel, "whatsapp_number": number}

    created = owner_client.post(reverse("invoices:client_create"), data)
    edited = owner_client.post(reverse("invoices:client_edit", args=[client.pk]), data)

    assert created.status_code in (200, 302) and edited.status_code in (200, 302)
    for saved in Client.objects.filter(organization=organization):
        assert saved.whatsapp_number == "" or saved.whatsapp_number.startswith("+")
    Client.objects.exclude(pk=client.pk).delete()


def test_a_mistyped_number_for_a_whatsapp_client_gets_one_error_not_two(owner_client: HttpClient) -> None:
    data = {"name": "X", "country": "BE", "payment_terms_days": "30", "currency": "EUR", "opening_balance": "0"}
    data |= {"preferred_channel": "whatsapp", "whatsapp_number": "+32 470"}

    response = owner_client.post(reverse("invoices:client_create"), data)

    assert response.status_code == 200 and not Client.objects.exists()
    assert len(response.context["form"].errors["whatsapp_number"]) == 1
    assert "Add the client" not in response.content.decode()
