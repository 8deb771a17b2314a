"""The invoice list: a constant number of queries however many invoices, and rows never stale."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.formatting import format_money
from core.models import Organization, Role
from invoices import services
from tests.factories import make_client, make_invoice, member, pay
from tests.helpers import logged_in_client

URL = reverse("invoices:invoice_list")


def queries_of(browser: HttpClient, url: str) -> int:
    browser.get(url)  # the session, memberships and banners are cached, as for every page after the first
    with CaptureQueriesContext(connection) as queries:
        response = browser.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.django_db
def test_the_list_makes_as_many_queries_for_sixty_invoices_as_for_two(
    browsing_client: HttpClient, organization: Organization
):
    client = make_client(organization)
    for _ in range(2):
        make_invoice(organization, client, sent=False)
    few = queries_of(browsing_client, URL), queries_of(browsing_client, URL + "?page=1&sort=-total")
    for _ in range(58):
        make_invoice(organization, client, sent=False)
    many = queries_of(browsing_client, URL), queries_of(browsing_client, URL + "?page=2&sort=-total")

    assert few == many == (2, 2)  # the signed-in user, and one page of rows with their clients


@pytest.mark.django_db
def test_a_changed_invoice_or_client_shows_on_the_next_view(owner_client: HttpClient, organization: Organization):
    client = make_client(organization, name="Brasserie Dupont")
    invoice = make_invoice(organization, client)  # 121.00
    before = owner_client.get(URL).content.decode()

    pay(invoice, "21.00")
    client.name = "Brasserie Janssens"
    services.save_client(client, organization=organization)
    after = owner_client.get(URL).content.decode()

    assert f"{format_money(121)}</td>" in before and "Brasserie Dupont" in before
    assert f"{format_money(100)}</td>" in after and "Partially paid" in after
    assert "Brasserie Janssens" in after and "Brasserie Dupont" not in after


@pytest.mark.django_db
def test_the_filters_show_what_each_view_asked_for(owner_client: HttpClient, organization: Organization):
    make_invoice(organization, make_client(organization, name="Atelier Maes"))

    first = owner_client.get(URL, {"q": "Maes", "status": "sent"}).content.decode()
    second = owner_client.get(URL, {"q": "Peeters"}).content.decode()

    assert 'value="Maes"' in first and '<option value="sent" selected>' in first
    assert 'value="Peeters"' in second and '<option value="sent" selected>' not in second
    assert "Atelier Maes" in first and "No invoices match." in second


@pytest.mark.django_db
def test_another_organization_sees_none_of_the_rows(
    owner_client: HttpClient, organization: Organization, other_organization: Organization
):
    make_invoice(other_organization, make_client(other_organization, name="Rival Klant"))

    assert "Rival Klant" not in owner_client.get(URL).content.decode()


@pytest.mark.django_db
def test_the_same_rows_show_each_reader_what_their_role_allows(owner_client: HttpClient, organization: Organization):
    make_invoice(organization, make_client(organization))
    viewer = logged_in_client(member(organization, Role.VIEWER, email="viewer@acme.example"))

    for _ in range(2):  # and on a repeat view, from memory
        assert "New invoice" in owner_client.get(URL).content.decode()
        assert "New invoice" not in viewer.get(URL).content.decode()


@pytest.mark.django_db
def test_a_client_filter_shows_the_clients_current_name(owner_client: HttpClient, organization: Organization):
    client = make_client(organization, name="Atelier Maes")
    make_invoice(organization, client)
    url = f"{URL}?client={client.pk}"
    assert "Invoices of Atelier Maes" in owner_client.get(url).content.decode()

    client.name = "Atelier Mertens"
    services.save_client(client, organization=organization)

    assert "Invoices of Atelier Mertens" in owner_client.get(url).content.decode()
