"""The product catalogue: each organisation sees and edits only its own products, archiving takes
a product out of the editor without touching invoices, and the editor receives the catalogue as a
JSON data island its script fills lines from."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from core.models import AuditEvent, Organization, Role
from invoices.models import Product
from tests.factories import make_billing_profile, make_product, member
from tests.helpers import logged_in_client

pytestmark = pytest.mark.django_db


def catalogue_island(html: str) -> list[dict[str, object]]:
    found = re.search(r'<script id="catalogue-data" type="application/json">(.*?)</script>', html, re.S)
    assert found, "the editor has no catalogue data island"
    data: list[dict[str, object]] = json.loads(found.group(1))
    return data


def test_creating_a_product_saves_it_in_the_organisation_audited(owner_client: HttpClient, organization: Organization):
    response = owner_client.post(
        reverse("invoices:product_create"),
        {"name": "Workshop day", "description": "", "unit_price": "640.00", "unit": "day", "vat_rate": "21"},
    )

    assert response.status_code == 302
    product = Product.objects.get()
    assert (product.organization, product.unit_price, product.vat_category) == (organization, Decimal("640"), "S")
    assert product.line_description == "Workshop day"
    assert AuditEvent.objects.filter(action="product.created", target_id=str(product.pk)).exists()


def test_a_product_at_zero_percent_in_the_standard_category_is_refused(owner_client: HttpClient):
    response = owner_client.post(
        reverse("invoices:product_create"),
        {"name": "Gift", "unit_price": "10", "vat_rate": "0", "vat_category": "S"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["vat_category"]
    assert not Product.objects.exists()


def test_the_list_and_the_editor_show_only_the_organisations_own_active_products(
    owner_client: HttpClient, organization: Organization, other_organization: Organization
):
    make_product(organization, name="Consulting hour")
    make_product(organization, name="Old service", is_active=False)
    make_product(other_organization, name="Rival secret product")

    listed = owner_client.get(reverse("invoices:product_list")).content.decode()
    archived = owner_client.get(reverse("invoices:product_list"), {"archived": "1"}).content.decode()
    editor = owner_client.get(reverse("invoices:invoice_create")).content.decode()

    assert "Consulting hour" in listed and "Old service" not in listed and "Rival secret" not in listed
    assert "Old service" in archived and "Consulting hour" not in archived
    assert [product["name"] for product in catalogue_island(editor)] == ["Consulting hour"]
    assert "Rival secret" not in editor


def test_another_organisations_product_cannot_be_edited_or_archived(
    owner_client: HttpClient, other_organization: Organization
):
    theirs = make_product(other_organization)

    assert owner_client.get(reverse("invoices:product_edit", args=[theirs.pk])).status_code == 404
    assert owner_client.post(reverse("invoices:product_archive", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.is_active


def test_archiving_and_restoring_a_product(owner_client: HttpClient, organization: Organization):
    product = make_product(organization)

    owner_client.post(reverse("invoices:product_archive", args=[product.pk]))
    assert not Product.objects.get(pk=product.pk).is_active
    assert catalogue_island(owner_client.get(reverse("invoices:invoice_create")).content.decode()) == []

    owner_client.post(reverse("invoices:product_restore", args=[product.pk]))
    assert Product.objects.get(pk=product.pk).is_active
    events = AuditEvent.objects.filter(target_type="invoices.product", target_id=str(product.pk))
    actions = list(events.values_list("action", flat=True))
    assert sorted(actions) == ["product.archived", "product.restored"]


def test_a_viewer_reads_the_catalogue_but_cannot_change_it(organization: Organization):
    viewer = logged_in_client(member(organization, Role.VIEWER))
    product = make_product(organization)

    assert viewer.get(reverse("invoices:product_list")).status_code == 200
    assert viewer.post(reverse("invoices:product_create"), {"name": "X", "unit_price": "1"}).status_code == 403
    assert viewer.post(reverse("invoices:product_archive", args=[product.pk])).status_code == 403


def test_the_editor_gets_what_a_picked_product_fills_in(owner_client: HttpClient, organization: Organization):
    make_product(
        organization,
        name="Reverse-charge licence",
        description="Software licence, yearly",
        unit_price=Decimal("1250.50"),
        vat_rate=Decimal("0.00"),
        vat_category="AE",
    )

    [product] = catalogue_island(owner_client.get(reverse("invoices:invoice_create")).content.decode())

    assert product["description"] == "Software licence, yearly"
    assert product["unit_price"] == "1250.50"  # a string: never a float
    assert (product["vat_rate"], product["vat_category"]) == ("0", "AE")


def test_a_products_rates_are_its_countrys(owner_client: HttpClient, organization: Organization):
    make_billing_profile(organization, country="LU", vat_number="", enterprise_number="")

    page = owner_client.get(reverse("invoices:product_create"))

    assert [value for value, _ in page.context["form"].fields["vat_rate"].choices] == ["17", "14", "8", "3", "0"]
