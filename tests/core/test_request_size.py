"""A post too large for the server gets our own 400 page, with or without DEBUG, and saves nothing."""

from __future__ import annotations

import pytest
from django.test import Client
from pytest_django.fixtures import Settings as SettingsWrapper

from invoices.models import Client as BillingClient
from tests.factories import OrganizationFactory, member

pytestmark = pytest.mark.django_db

TEN_MB = 10 * 1024 * 1024


@pytest.mark.parametrize("debug", [True, False])
def test_a_ten_megabyte_form_post_gets_the_styled_400_page(
    client: Client, settings: SettingsWrapper, debug: bool
) -> None:
    settings.DEBUG = debug
    client.force_login(member(OrganizationFactory.create()))
    response = client.post(
        "/clients/new/", data="name=" + "x" * TEN_MB, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "too large (10.5 MB; at most 2.6 MB)" in body
    assert 'class="topbar"' in body  # the app's own layout, not Django's technical page
    assert "Traceback" not in body
    assert response["Content-Security-Policy"]
    assert not BillingClient.objects.exists()


def test_an_upload_is_bounded_as_a_whole(client: Client, settings: SettingsWrapper) -> None:
    settings.MAX_UPLOAD_BYTES = 1000
    client.force_login(member(OrganizationFactory.create()))
    response = client.post("/clients/new/", {"name": "x" * 2000})
    assert response.status_code == 400
    assert "at most 0.0 MB" in response.content.decode()


def test_a_normal_post_passes(client: Client) -> None:
    user = member(OrganizationFactory.create())
    client.force_login(user)
    response = client.post("/language/", {"language": "nl"}, HTTP_REFERER="/clients/")
    assert response.status_code == 302
    assert response["Location"] == "/clients/"
    user.refresh_from_db()
    assert user.language == "nl"
