"""The language menu goes back to the page it was on, never to another site, and keeps the choice."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import OrganizationFactory, member

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("referer", "back_to"),
    [
        ("http://testserver/clients/?page=2", "/clients/?page=2"),
        ("https://evil.example/phish", "/"),
        ("//evil.example/phish", "/"),
        ("", "/"),
    ],
)
def test_back_to_the_page_on_this_site_only(client: Client, referer: str, back_to: str) -> None:
    user = member(OrganizationFactory.create())
    client.force_login(user)
    response = client.post("/language/", {"language": "fr"}, HTTP_REFERER=referer)
    assert response.status_code == 302 and response["Location"] == back_to
    user.refresh_from_db()
    assert user.language == "fr"
    assert response.cookies["django_language"].value == "fr"


def test_an_unknown_language_changes_nothing(client: Client) -> None:
    user = member(OrganizationFactory.create(), language="nl")
    client.force_login(user)
    response = client.post("/language/", {"language": "xx"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.language == "nl" and "django_language" not in response.cookies
