"""Every page carries a strict CSP and the security headers; no page has an inline script."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse

from core.audit import record_event
from core.models import Organization, User
from tests.helpers import TestResponse

PUBLIC_PAGES = ["account_login", "account_signup", "account_reset_password"]
MEMBER_PAGES = [
    "home",
    "organization_members",
    "organization_create",
    "audit_log",
    "account_email",
    "account_change_password",
    "mfa_index",
]


class InlineCodeFinder(HTMLParser):
    """Collects inline scripts, inline styles and event-handler attributes."""

    def __init__(self, nonce: str | None) -> None:
        super().__init__()
        self.nonce = nonce
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        has_nonce = self.nonce is not None and attributes.get("nonce") == self.nonce
        if (
            tag == "script"
            and not attributes.get("src")
            and attributes.get("type") != "application/json"
            and not has_nonce
        ):
            self.problems.append(f"inline <script> {attrs}")
        if tag == "style" and not has_nonce:
            self.problems.append("inline <style>")
        for name, _ in attrs:
            if name == "style" or name.startswith("on"):
                self.problems.append(f"<{tag} {name}=…>")


def csp_directives(header: str) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in (p.strip() for p in header.split(";")) if part}


def assert_safe_page(response: TestResponse) -> None:
    assert response.status_code == 200, response
    csp = csp_directives(response["Content-Security-Policy"])
    assert csp["default-src"] == ["'self'"]
    assert "'unsafe-inline'" not in csp["script-src"] and "'unsafe-eval'" not in csp["script-src"]
    assert "'unsafe-inline'" not in csp["style-src"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "camera=()" in response["Permissions-Policy"]
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])
    nonce_match = re.search(r"'nonce-([^']+)'", " ".join(csp["script-src"]))
    finder = InlineCodeFinder(nonce_match.group(1) if nonce_match else None)
    finder.feed(response.content.decode())
    assert not finder.problems, finder.problems


@pytest.mark.django_db
@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_public_pages_are_locked_down(client: Client, name: str):
    assert_safe_page(client.get(reverse(name)))


@pytest.mark.django_db
@pytest.mark.parametrize("name", MEMBER_PAGES)
def test_member_pages_are_locked_down(client: Client, owner: User, password: str, name: str):
    client.post(reverse("account_login"), {"login": owner.email, "password": password})
    assert_safe_page(client.get(reverse(name)))


@pytest.mark.django_db
def test_audit_event_page_is_locked_down(owner_client: Client, organization: Organization):
    event = record_event("invoice.sent", organization=organization, after={"note": "<script>alert(1)</script>"})

    response = owner_client.get(reverse("audit_event", args=[event.pk]))

    assert_safe_page(response)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.content.decode()


@pytest.mark.django_db
def test_forms_without_a_csrf_token_are_refused(owner: User):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)

    response = client.post(reverse("organization_create"), {"name": "Sneaky Ltd"})

    assert response.status_code == 403
    assert "The form expired" in response.content.decode()
    assert not Organization.objects.filter(name="Sneaky Ltd").exists()


@pytest.mark.django_db
def test_not_found_page_is_friendly_and_locked_down(owner_client: Client):
    response = owner_client.get("/no/such/page/")

    assert response.status_code == 404
    assert "belongs to another organisation" in response.content.decode()
    assert "Content-Security-Policy" in response
