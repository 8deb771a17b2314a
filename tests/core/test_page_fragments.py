"""What every page renders once per process: argument-less URLs, the top bar, static URLs.

Each must show exactly what a fresh rendering would: the request's own CSRF token, and the
user's, organisation's and role's current state."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.contrib.staticfiles.storage import ManifestStaticFilesStorage as DjangoManifestStorage
from django.template import Context, Template
from django.test import Client
from django.test.utils import override_settings
from django.urls import NoReverseMatch, reverse, set_script_prefix

from core.models import Membership, Organization, Role, User
from core.staticfiles import ManifestStaticFilesStorage
from tests.factories import member
from tests.helpers import logged_in_client

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def render(source: str, **context: object) -> str:
    return Template(source).render(Context(context))


def test_the_url_tag_reverses_as_django_does():
    assert render("{% url 'invoices:invoice_list' %}") == reverse("invoices:invoice_list")
    assert render("{% url 'invoices:invoice_detail' 7 %}") == reverse("invoices:invoice_detail", args=[7])
    assert render("{% url name %}", name="home") == reverse("home")
    assert render("{% url 'nowhere' as missing %}[{{ missing }}]") == "[]"
    with pytest.raises(NoReverseMatch):
        render("{% url 'nowhere' %}")


def test_a_remembered_url_follows_the_script_prefix():
    assert render("{% url 'home' %}") == "/"
    set_script_prefix("/books/")
    try:
        assert render("{% url 'home' %}") == "/books/"
    finally:
        set_script_prefix("/")
    assert render("{% url 'home' %}") == "/"


def tokens(page: str) -> list[str]:
    return TOKEN.findall(page)


@pytest.mark.django_db
def test_each_page_has_its_own_token_in_every_form_of_the_top_bar(owner: User):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(owner)

    first, second = (tokens(browser.get(reverse("home")).content.decode()) for _ in range(2))

    # The organisation switcher, the sign-out form and the language menu.
    assert len(first) == 3 and len(set(first)) == 1
    assert second[0] != first[0]  # masked anew for each request, as Django's own tag does
    switched = browser.post(reverse("organization_switch"), {"organization": "0", "csrfmiddlewaretoken": second[0]})
    assert switched.status_code == 404  # past the CSRF check (403), to the view: no such organisation
    spoken = browser.post(reverse("set_language"), {"language": "fr", "csrfmiddlewaretoken": second[2]})
    assert spoken.status_code == 302


@pytest.mark.django_db
def test_the_top_bar_follows_the_organisation_the_role_and_the_section(
    owner_client: Client, owner: User, organization: Organization
):
    page = owner_client.get(reverse("invoices:invoice_list")).content.decode()
    assert ">Acme BV</option>" in page and "Billing details" in page
    assert f'<a href="{reverse("invoices:invoice_list")}" aria-current="page">Invoices</a>' in page

    organization.name = "Acme Holding BV"
    organization.save()
    membership = Membership.objects.get(user=owner)
    membership.role = Role.FINANCE
    membership.save()

    page = owner_client.get(reverse("invoices:client_list")).content.decode()
    assert ">Acme Holding BV</option>" in page and "Acme BV<" not in page
    assert "Billing details" not in page  # for owners and admins only
    assert f'<a href="{reverse("invoices:client_list")}" aria-current="page">Clients</a>' in page
    assert 'aria-current="page">Invoices' not in page

    page = owner_client.get(reverse("banking:transactions")).content.decode()
    assert page.count('aria-current="page"') == 1  # Transactions, under /dashboard/ yet not Dashboard
    assert f'<a href="{reverse("banking:transactions")}" aria-current="page">Transactions</a>' in page


@pytest.mark.django_db
def test_two_users_never_see_each_others_top_bar(owner: User, organization: Organization):
    other = member(organization, Role.VIEWER, email="viewer@acme.example")

    mine = logged_in_client(owner).get(reverse("home")).content.decode()
    theirs = logged_in_client(other).get(reverse("home")).content.decode()

    assert "owner@acme.example" in mine and "viewer@acme.example" not in mine
    assert "viewer@acme.example" in theirs and "owner@acme.example" not in theirs


def manifest_storage(tmp_path: Path, cls: type[DjangoManifestStorage]) -> DjangoManifestStorage:
    (tmp_path / "staticfiles.json").write_text(
        json.dumps({"paths": {"css/app.css": "css/app.0123456789ab.css"}, "version": "1.1", "hash": "x"})
    )
    return cls(location=str(tmp_path), base_url="/static/")


@override_settings(DEBUG=False)
def test_static_urls_are_the_manifests_and_a_missing_name_still_fails(tmp_path: Path):
    ours = manifest_storage(tmp_path, ManifestStaticFilesStorage)
    django = manifest_storage(tmp_path, DjangoManifestStorage)

    assert ours.url("css/app.css") == ours.url("css/app.css") == django.url("css/app.css")
    assert ours.url("css/app.css") == "/static/css/app.0123456789ab.css"
    for _ in range(2):
        with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
            ours.url("css/missing.css")
    with override_settings(DEBUG=True):
        assert ours.url("css/app.css") == "/static/css/app.css"  # as Django serves it in development
