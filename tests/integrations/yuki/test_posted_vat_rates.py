"""A posted line rate that no line form accepts is left to the line form's own error: never a 500
from the Yuki VAT check of a link that books every sent invoice, never a megabyte of digits."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from core.models import Organization
from integrations.yuki.vat import posted_line_rates, rate_key
from invoices.models import Invoice
from sandboxes.yuki import YukiSandbox
from tests.factories import make_client
from tests.integrations.yuki.conftest import link_yuki

# Beyond the default context's exponents (normalize() overflows), at its edges (a million digits
# once written out), out of range, or no number at all.
UNACCEPTABLE = [
    "1e1000000",
    "-1e1000000",
    "1e999999",
    "1e-999999",
    "1e-1000030",
    "101",
    "-1",
    "-0.01",
    "NaN",
    "21.000000000000000000000000000000001",
    "sNaN",
    "Infinity",
    "-Infinity",
    "12,5",
    "",
]


def posted(*rates: str) -> dict[str, str]:
    return {f"lines-{n}-vat_rate": rate for n, rate in enumerate(rates)}


def test_only_rates_a_line_could_carry_are_checked():
    rates = posted("21", "6", "0", "12.50", "100", "-0", "0E+1000000", *UNACCEPTABLE)

    kept = posted_line_rates(rates)

    assert kept == [Decimal("21"), Decimal("6"), Decimal("0"), Decimal("12.50"), Decimal("100"), 0, 0]
    assert [rate_key(rate) for rate in kept] == ["21", "6", "0", "12.5", "100", "0", "0"]


@pytest.mark.django_db
@pytest.mark.parametrize("rate", UNACCEPTABLE)
def test_the_invoice_form_answers_a_form_error_for_an_unacceptable_rate_with_booking_on_send(
    owner_client: Client, yuki: YukiSandbox, organization: Organization, rate: str
):
    connection = link_yuki(owner_client, yuki)
    connection.config = {**connection.config, "book_on_send": True}
    connection.save(update_fields=["config"])
    form = {
        "client": make_client(organization).pk,
        "issue_date": "2026-03-02",
        "currency": "EUR",
        "lines-TOTAL_FORMS": "2",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "1",
        "lines-MAX_NUM_FORMS": "1000",
        "lines-0-description": "Advice",
        "lines-0-quantity": "1",
        "lines-0-unit_price": "100.00",
        "lines-0-vat_rate": rate,
        "lines-1-description": "Books",
        "lines-1-quantity": "1",
        "lines-1-unit_price": "10.00",
        "lines-1-vat_rate": "9",
    }

    response = owner_client.post(reverse("invoices:invoice_create"), form)

    page = response.content.decode()
    assert response.status_code == 200
    assert "Select a valid choice" in page or "This field is required" in page
    assert "9 % cannot be booked in Yuki" in page, "the rates that can be read are still checked"
    assert len(page) < 200_000
    assert not Invoice.objects.filter(source="manual").exists()
