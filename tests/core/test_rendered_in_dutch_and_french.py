"""Every page a member can reach, and the invoice's email and PDF, rendered in Dutch and in
French carry no English phrase of our catalogue: a phrase there means a string that never went
through gettext, or one the catalogue lacks."""

from __future__ import annotations

import datetime
import io
from collections import Counter, deque
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pypdf
import pytest
from django.core import mail
from django.test import Client
from django.urls import Resolver404, resolve
from django.utils import translation

from core.models import Organization, User
from invoices import demo, notifications
from invoices.models import Invoice
from invoices.pdf import invoice_pdf
from tests.factories import (
    OrganizationFactory,
    add_transactions,
    make_bank_account,
    make_challan,
    make_connection,
    make_credit_note,
    make_match,
    make_payment,
    make_product,
    make_received_document,
    member,
)
from tests.translations import english_left_in, visible_text

pytestmark = pytest.mark.django_db

LANGUAGES = ("nl", "fr")
# Pages that leave the signed-in app, or act when fetched.
NOT_WALKED = ("/admin/", "/accounts/logout/", "/static/", "/webhooks/")
MAX_PAGES = 250
# Pages of one view differ in data, not in wording: two of each are enough.
PAGES_PER_VIEW = 2


@pytest.fixture
def busy_organization() -> Organization:
    organization = OrganizationFactory.create(name="Brasserie De Klok")
    demo.seed_billing(organization)
    account = make_bank_account(organization, "18250.40", connection=make_connection(organization))
    add_transactions(account, (datetime.date.today() - datetime.timedelta(days=3), "-125.50"))
    make_payment(organization)
    make_credit_note(organization)
    make_challan(organization)
    make_match(organization)
    make_received_document(organization)
    make_product(organization)
    return organization


def html_links(base: str, html: str) -> list[str]:
    links: list[str] = []

    class Anchors(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            href = dict(attrs).get("href")
            if tag == "a" and href and not href.startswith(("#", "mailto:", "javascript:")):
                links.append(urljoin(base, href))

    Anchors().feed(html)
    return links


def walk(client: Client) -> dict[str, list[str]]:
    """Every same-site page reachable from the home page, breadth first: its URL → English left."""
    seen: set[str] = set()
    per_view: Counter[str] = Counter()
    queue = deque(["/"])
    found: dict[str, list[str]] = {}
    language = translation.get_language()
    while queue and len(seen) < MAX_PAGES:
        url = queue.popleft()
        if url in seen or url.startswith(NOT_WALKED):
            continue
        try:
            view = resolve(urlsplit(url).path).view_name
        except Resolver404:
            continue
        per_view[view] += 1
        if per_view[view] > PAGES_PER_VIEW:
            continue
        seen.add(url)
        response = client.get(url, follow=True)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        left = english_left_in(visible_text(html, language), language)
        if left:
            found[url] = left
        for link in html_links(url, html):
            parts = urlsplit(link)
            if parts.netloc in ("", "testserver"):
                queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    assert len(seen) > 30, f"the walk reached only {len(seen)} pages"
    return found


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_reads_in_the_language(client: Client, busy_organization: Organization, language: str) -> None:
    user: User = member(busy_organization, language=language)
    client.force_login(user)
    with translation.override(language):
        found = walk(client)
    assert not found, "\n".join(f"{url}: {phrases}" for url, phrases in found.items())


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_invoice_email_and_pdf_read_in_the_clients_language(busy_organization: Organization, language: str) -> None:
    invoice = Invoice.objects.filter(organization=busy_organization).exclude(status="draft").order_by("pk").first()
    assert invoice is not None
    invoice.client.language = language
    invoice.client.save()
    notifications.send_invoice_email(invoice)
    email = mail.outbox[-1]
    pdf_text = " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(invoice_pdf(invoice))).pages)
    for name, text in (("subject", str(email.subject)), ("body", str(email.body)), ("pdf", pdf_text)):
        assert not english_left_in(text, language), f"{name}: {english_left_in(text, language)}"
