"""The invoice's public page: reachable only through its signed link, in the client's language."""

from __future__ import annotations

import pytest
from django.test import Client
from pytest_django.fixtures import Settings as SettingsWrapper

from core.models import Organization
from invoices.services import cancel_invoice
from payments.links import invoice_token, public_invoice_path, public_invoice_url
from tests.factories import make_client, make_invoice

pytestmark = pytest.mark.django_db


def test_the_link_shows_the_invoice_without_signing_in(client: Client, organization: Organization) -> None:
    invoice = make_invoice(organization)
    response = client.get(public_invoice_path(invoice))
    assert response.status_code == 200
    body = response.content.decode()
    assert invoice.number in body
    assert organization.name in body
    assert response["Cache-Control"] == "no-store"


def test_the_url_is_absolute_and_based_on_site_url(organization: Organization, settings: SettingsWrapper) -> None:
    settings.SITE_URL = "https://pay.example.be"
    invoice = make_invoice(organization)
    assert public_invoice_url(invoice) == f"https://pay.example.be/pay/{invoice_token(invoice)}/"


def test_a_tampered_token_is_a_404(client: Client, organization: Organization) -> None:
    invoice = make_invoice(organization)
    token = invoice_token(invoice)
    assert client.get(f"/pay/{token[:-2]}xx/").status_code == 404
    assert client.get("/pay/garbage/").status_code == 404
    assert client.get(f"/pay/{token}x/pdf/").status_code == 404


def test_a_token_for_another_id_cannot_be_made_by_editing_it(
    client: Client, organization: Organization, other_organization: Organization
) -> None:
    mine = make_invoice(organization)
    theirs = make_invoice(other_organization)
    _, _, signature = invoice_token(mine).partition(":")
    forged = f"{invoice_token(theirs).partition(':')[0]}:{signature}"
    assert client.get(f"/pay/{forged}/").status_code == 404
    assert client.get(f"/pay/{invoice_token(theirs)}/").status_code == 200


def test_a_draft_or_cancelled_invoice_is_not_public(client: Client, organization: Organization) -> None:
    draft = make_invoice(organization, sent=False)
    assert client.get(public_invoice_path(draft)).status_code == 404
    cancelled = make_invoice(organization)
    path = public_invoice_path(cancelled)
    cancel_invoice(cancelled)
    assert client.get(path).status_code == 404


def test_the_pdf_downloads_through_the_same_token(client: Client, organization: Organization) -> None:
    invoice = make_invoice(organization)
    response = client.get(f"{public_invoice_path(invoice)}pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_the_page_speaks_the_clients_language(client: Client, organization: Organization) -> None:
    invoice = make_invoice(organization, make_client(organization, language="fr"))
    response = client.get(public_invoice_path(invoice))
    assert "Facture" in response.content.decode()


def test_the_page_is_rate_limited(client: Client, organization: Organization, settings: SettingsWrapper) -> None:
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "public_invoice": "3/m"}
    path = public_invoice_path(make_invoice(organization))
    statuses = [client.get(path).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
