"""What the invoice and connection pages offer around Yuki: booking once, only the rates Yuki has a
VAT type for, and only the bank and cash ledger accounts."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from core.models import AuditEvent, Organization
from integrations.models import Connection, ExternalBooking
from invoices.models import Invoice
from invoices.money import VAT_RATES
from sandboxes.yuki import NL_ACCESS_KEY, YukiSandbox
from tests.factories import make_client, make_invoice, make_lines
from tests.integrations.yuki.conftest import link_yuki

pytestmark = pytest.mark.django_db
# The VAT codes of the sandbox's administrations (rate → Yuki VAT type), as their VATCodes list them.
VAT_CODES = {"BE": {"21": 1, "12": 21, "6": 2, "0": 3}, "NL": {"21": 1, "9": 2, "0": 3}}


def rate_key(rate: Decimal) -> str:
    return f"{rate.normalize():f}"


def invoice_at(organization: Organization, rate: Decimal, country: str = "BE") -> Invoice:
    client = make_client(organization, name=f"Client at {rate} %", country=country)
    return make_invoice(organization, client, lines=make_lines(("1", "100.00", str(rate))))


def detail(client: Client, invoice: Invoice) -> str:
    return client.get(reverse("invoices:invoice_detail", args=[invoice.pk])).content.decode()


def book(client: Client, invoice: Invoice) -> str:
    return client.post(reverse("integrations:book_in_yuki", args=[invoice.pk]), follow=True).content.decode()


def link_nl(client: Client, sandbox: YukiSandbox) -> Connection:
    step_one = client.post(reverse("integrations:yuki_connect"), {"access_key": NL_ACCESS_KEY, "region": "NL"})
    assert step_one.status_code == 302
    dutch = next(a for a in sandbox.administrations.values() if a.country == "NL")
    assert client.post(reverse("integrations:yuki_administration"), {"administration": dutch.id}).status_code == 302
    return Connection.objects.get(provider="yuki")


# --- item 18: booked once, and the page says so ---------------------------------------------------------------------


def test_once_booked_the_button_gives_way_and_a_second_request_audits_nothing(
    owner_client: Client, yuki: YukiSandbox, organization: Organization
):
    link_yuki(owner_client, yuki)
    invoice = invoice_at(organization, Decimal("21"))
    assert "Book in Yuki</button>" in detail(owner_client, invoice)

    book(owner_client, invoice)
    page = detail(owner_client, invoice)
    again = book(owner_client, invoice)

    assert "Book in Yuki</button>" not in page and "Booked in Yuki as" in page
    assert "is already booked in Yuki" in again
    assert AuditEvent.objects.filter(action="invoice.booked_in_yuki").count() == 1
    assert ExternalBooking.objects.count() == 1
    assert sum(1 for entry in yuki.sales_log if invoice.number in str(entry)) == 1


def test_the_yuki_connection_page_has_no_ponto_sections_and_offers_only_bank_and_cash_accounts(
    owner_client: Client, yuki: YukiSandbox
):
    connection = link_yuki(owner_client, yuki)
    url = reverse("integrations:connection_detail", args=[connection.pk])

    owner_client.post(reverse("integrations:yuki_ledger_accounts", args=[connection.pk]), {"load": "1"})
    page = owner_client.get(url).content.decode()

    connection.refresh_from_db()
    offered = {account["code"] for account in connection.config["gl_scheme"]}
    assert offered == {"550000", "551000", "552000", "553000", "570000"}
    assert 'value="700000"' not in page and 'value="400000"' not in page and 'value="550000"' in page
    assert "Consent until" not in page
    assert "Re-authorise" not in page and "Replace the access key" in page


def test_the_dutch_scheme_offers_its_bank_and_cash_accounts(owner_client: Client, yuki: YukiSandbox):
    connection = link_nl(owner_client, yuki)

    owner_client.post(reverse("integrations:yuki_ledger_accounts", args=[connection.pk]), {"load": "1"})

    connection.refresh_from_db()
    assert {account["code"] for account in connection.config["gl_scheme"]} == {
        "10000",
        "11001",
        "11002",
        "11003",
        "11004",
    }


# --- item 7: every rate the form offers is booked with a VAT type of the country, or the page says why ------------


@pytest.mark.parametrize("country", ["BE", "NL"])
def test_every_offered_rate_is_booked_or_the_page_says_why_first(
    owner_client: Client, yuki: YukiSandbox, organization: Organization, country: str
):
    link_yuki(owner_client, yuki) if country == "BE" else link_nl(owner_client, yuki)
    types = VAT_CODES[country]

    for rate in VAT_RATES:
        invoice = invoice_at(organization, rate, country)
        page = detail(owner_client, invoice)
        if rate_key(rate) in types:
            assert "Book in Yuki</button>" in page, rate
            assert f"{invoice.number} is booked in Yuki" in book(owner_client, invoice), rate
        else:
            assert "Book in Yuki</button>" not in page, rate
            assert f"{rate_key(rate)} % cannot be booked in Yuki" in page, rate
            assert sum(1 for entry in yuki.sales_log if invoice.number in str(entry)) == 0


def test_a_link_that_books_on_send_refuses_a_rate_without_a_vat_type_in_the_form(
    owner_client: Client, yuki: YukiSandbox, organization: Organization
):
    connection = link_yuki(owner_client, yuki)
    connection.config = {**connection.config, "book_on_send": True}
    connection.save(update_fields=["config"])
    client = make_client(organization)
    form = {
        "client": client.pk,
        "issue_date": "2026-03-02",
        "currency": "EUR",
        "lines-TOTAL_FORMS": "2",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "1",
        "lines-MAX_NUM_FORMS": "1000",
        "lines-0-description": "Advice",
        "lines-0-quantity": "1",
        "lines-0-unit_price": "100.00",
        "lines-0-vat_rate": "21",
        "lines-1-description": "Books",
        "lines-1-quantity": "1",
        "lines-1-unit_price": "10.00",
        "lines-1-vat_rate": "9",
    }

    refused = owner_client.post(reverse("invoices:invoice_create"), form)
    accepted = owner_client.post(reverse("invoices:invoice_create"), {**form, "lines-1-vat_rate": "6"})

    assert refused.status_code == 200
    assert "9 % cannot be booked in Yuki" in refused.content.decode()
    assert accepted.status_code == 302
    assert Invoice.objects.filter(source="manual").count() == 1
